{
  "targets": [
    {
      "target_name": "zkmargin_native",
      "sources": [
        "src/addon.cpp",
        "src/binfile.cpp",
        "src/binio.cpp",
        "src/fft.cpp",
        "src/ffiasm.cpp",
        "src/groth16.cpp",
        "src/pairing.cpp",
        "src/ptau.cpp",
        "src/r1cs.cpp",
        "src/verify.cpp",
        "src/zkey.cpp",
        "src/zkey_new.cpp"
      ],
      "include_dirs": ["<!(node -p \"require('node-addon-api').include_dir\")"],
      "defines": ["NAPI_VERSION=8", "NAPI_CPP_EXCEPTIONS"],
      "cflags!": ["-fno-exceptions"],
      "cflags_cc!": ["-fno-exceptions", "-fno-rtti", "-std=gnu++17", "-std=gnu++20"],
      "cflags_cc": ["-std=c++17", "-O3", "-fexceptions", "-Wall", "-Wextra", "-fvisibility=hidden"],
      "libraries": ["<(module_root_dir)/gen/fq.o", "<(module_root_dir)/gen/fr.o"]
    }
  ]
}
