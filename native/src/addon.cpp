// The N-API binding: `loadProvingKey(zkeyBytes)` resolves to a ProvingKey kept in native memory,
// whose `prove(wtnsBytes)` and `multiExp(section, scalarBytes)` run on worker threads and resolve
// with plain values as hexadecimal strings; `verifyGroth16(vkey, proof, signals)` verifies a
// proof (synchronously: a few milliseconds); `generateDevPtau(power, file)` and
// `checkPtau(file)` write and check powers-of-tau files, and `newZkey(r1cs, ptau, zkey, tail?)`
// writes snarkjs's initial zkey, on worker threads. C++ exceptions become
// thrown errors or rejected promises (JS errors).
#include <napi.h>

#include <chrono>
#include <memory>

#include "cpu.hpp"
#include "groth16.hpp"
#include "ptau.hpp"
#include "verify.hpp"
#include "zkey_new.hpp"

namespace {

using zkm::ProvingKey;
using zkm::U256;

unsigned threads() { return zkm::hardwareThreads(); }

Napi::Array hexArray(Napi::Env env, const std::vector<U256> &values) {
  Napi::Array out = Napi::Array::New(env, values.size());
  for (size_t i = 0; i < values.size(); i++) out.Set(i, Napi::String::New(env, values[i].hex()));
  return out;
}

/** Bytes of a Uint8Array argument, kept alive by a reference while a worker reads them. */
struct Bytes {
  Napi::Reference<Napi::Uint8Array> ref;
  const uint8_t *data = nullptr;
  uint64_t size = 0;
};

Bytes bytesArgument(const Napi::CallbackInfo &info, size_t index, const char *name) {
  if (info.Length() <= index || !info[index].IsTypedArray() ||
      info[index].As<Napi::TypedArray>().TypedArrayType() != napi_uint8_array) {
    throw Napi::TypeError::New(info.Env(), std::string(name) + " must be a Uint8Array");
  }
  Napi::Uint8Array array = info[index].As<Napi::Uint8Array>();
  Bytes bytes;
  bytes.ref = Napi::Persistent(array);
  bytes.data = array.Data();
  bytes.size = array.ByteLength();
  return bytes;
}

class KeyObject : public Napi::ObjectWrap<KeyObject> {
 public:
  static Napi::Function Define(Napi::Env env) {
    return DefineClass(env, "ProvingKey",
                       {InstanceAccessor<&KeyObject::NVars>("nVars"),
                        InstanceAccessor<&KeyObject::NPublic>("nPublic"),
                        InstanceAccessor<&KeyObject::DomainSize>("domainSize"),
                        InstanceMethod<&KeyObject::Prove>("prove"),
                        InstanceMethod<&KeyObject::MultiExp>("multiExp")});
  }

  explicit KeyObject(const Napi::CallbackInfo &info) : Napi::ObjectWrap<KeyObject>(info) {
    if (info.Length() != 1 || !info[0].IsExternal()) {
      throw Napi::TypeError::New(info.Env(), "use loadProvingKey(zkeyBytes) to make a ProvingKey");
    }
    key_ = *info[0].As<Napi::External<std::shared_ptr<ProvingKey>>>().Data();
  }

 private:
  Napi::Value NVars(const Napi::CallbackInfo &info) { return Napi::Number::New(info.Env(), key_->nVars); }
  Napi::Value NPublic(const Napi::CallbackInfo &info) { return Napi::Number::New(info.Env(), key_->nPublic); }
  Napi::Value DomainSize(const Napi::CallbackInfo &info) {
    return Napi::Number::New(info.Env(), key_->domainSize);
  }
  Napi::Value Prove(const Napi::CallbackInfo &info);
  Napi::Value MultiExp(const Napi::CallbackInfo &info);

  std::shared_ptr<ProvingKey> key_;
};

/** Per-environment data (the addon may be loaded in several threads' environments). */
struct AddonData {
  Napi::FunctionReference keyClass;
};

/** Runs `work` on a worker thread; resolves with `result(env)` or rejects with its error. */
class Task : public Napi::AsyncWorker {
 public:
  Task(Napi::Env env, Bytes bytes) : Napi::AsyncWorker(env), deferred_(Napi::Promise::Deferred::New(env)),
                                      bytes_(std::move(bytes)) {}
  Napi::Promise promise() { return deferred_.Promise(); }

 protected:
  virtual void Run() = 0;
  virtual Napi::Value Result(Napi::Env env) = 0;
  void Execute() override {
    try {
      Run();
    } catch (const std::exception &e) {
      SetError(e.what());
    }
  }
  void OnOK() override { deferred_.Resolve(Result(Env())); }
  void OnError(const Napi::Error &e) override { deferred_.Reject(e.Value()); }

  Napi::Promise::Deferred deferred_;
  Bytes bytes_;
};

class LoadTask : public Task {
 public:
  using Task::Task;

 protected:
  void Run() override {
    if (!zkm::cpuSupported()) throw std::runtime_error("this CPU lacks BMI2 or ADX, which the native prover needs");
    key_ = std::shared_ptr<ProvingKey>(ProvingKey::load(bytes_.data, bytes_.size, threads()).release());
  }
  Napi::Value Result(Napi::Env env) override {
    return env.GetInstanceData<AddonData>()->keyClass.New(
        {Napi::External<std::shared_ptr<ProvingKey>>::New(env, &key_)});
  }

 private:
  std::shared_ptr<ProvingKey> key_;
};

class ProveTask : public Task {
 public:
  ProveTask(Napi::Env env, Bytes bytes, std::shared_ptr<ProvingKey> key)
      : Task(env, std::move(bytes)), key_(std::move(key)) {}

 protected:
  void Run() override { proof_ = zkm::prove(*key_, bytes_.data, bytes_.size, threads()); }
  Napi::Value Result(Napi::Env env) override {
    Napi::Object out = Napi::Object::New(env);
    out.Set("a", hexArray(env, {proof_.a.x.toNormal(), proof_.a.y.toNormal()}));
    out.Set("b", hexArray(env, {proof_.b.x.c0.toNormal(), proof_.b.x.c1.toNormal(), proof_.b.y.c0.toNormal(),
                                proof_.b.y.c1.toNormal()}));
    out.Set("c", hexArray(env, {proof_.c.x.toNormal(), proof_.c.y.toNormal()}));
    out.Set("publicSignals", hexArray(env, proof_.publicSignals));
    const zkm::Phases &p = proof_.phases;
    Napi::Object phases = Napi::Object::New(env);
    phases.Set("read", p.read);
    phases.Set("abc", p.abc);
    phases.Set("quotient", p.quotient);
    phases.Set("msm", p.msm);
    phases.Set("finish", p.finish);
    Napi::Object msm = Napi::Object::New(env);
    const char *names[] = {"A", "B1", "B2", "C", "H"};
    for (int i = 0; i < 5; i++) msm.Set(names[i], p.msmEach[i]);
    out.Set("phases", phases);
    out.Set("msm", msm);
    return out;
  }

 private:
  std::shared_ptr<ProvingKey> key_;
  zkm::Proof proof_;
};

class MultiExpTask : public Task {
 public:
  MultiExpTask(Napi::Env env, Bytes bytes, std::shared_ptr<ProvingKey> key, zkm::Msm which)
      : Task(env, std::move(bytes)), key_(std::move(key)), which_(which) {}

 protected:
  void Run() override {
    size_t n = zkm::msmLength(*key_, which_);
    if (bytes_.size != n * 32) {
      throw std::runtime_error("the MSM takes " + std::to_string(n) + " scalars (" + std::to_string(n * 32) +
                               " bytes), " + std::to_string(bytes_.size) + " bytes given");
    }
    std::vector<U256> scalars(n);
    std::memcpy(scalars.data(), bytes_.data, n * 32);
    auto start = std::chrono::steady_clock::now();
    point_ = zkm::multiExpSection(*key_, which_, scalars, threads());
    seconds_ = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  }
  Napi::Value Result(Napi::Env env) override {
    Napi::Object out = Napi::Object::New(env);
    out.Set("seconds", seconds_);
    out.Set("point", hexArray(env, point_));
    return out;
  }

 private:
  std::shared_ptr<ProvingKey> key_;
  zkm::Msm which_;
  std::vector<U256> point_;
  double seconds_ = 0;
};

Napi::Value KeyObject::Prove(const Napi::CallbackInfo &info) {
  auto *task = new ProveTask(info.Env(), bytesArgument(info, 0, "the witness"), key_);
  Napi::Promise promise = task->promise();
  task->Queue();
  return promise;
}

Napi::Value KeyObject::MultiExp(const Napi::CallbackInfo &info) {
  if (info.Length() < 1 || !info[0].IsNumber()) {
    throw Napi::TypeError::New(info.Env(), "the section must be 0 (A), 1 (B1), 2 (B2), 3 (C) or 4 (H)");
  }
  int which = info[0].As<Napi::Number>().Int32Value();
  if (which < 0 || which > 4) {
    throw Napi::RangeError::New(info.Env(), "the section must be 0 (A), 1 (B1), 2 (B2), 3 (C) or 4 (H)");
  }
  auto *task = new MultiExpTask(info.Env(), bytesArgument(info, 1, "the scalars"), key_,
                                static_cast<zkm::Msm>(which));
  Napi::Promise promise = task->promise();
  task->Queue();
  return promise;
}

/** A string argument. */
std::string stringArgument(const Napi::CallbackInfo &info, size_t index, const char *name) {
  if (info.Length() <= index || !info[index].IsString()) {
    throw Napi::TypeError::New(info.Env(), std::string(name) + " must be a string");
  }
  return info[index].As<Napi::String>().Utf8Value();
}

void requireCpu(Napi::Env env) {
  if (!zkm::cpuSupported()) throw Napi::Error::New(env, "this CPU lacks BMI2 or ADX, which the native code needs");
}

class DevPtauTask : public Task {
 public:
  DevPtauTask(Napi::Env env, unsigned power, std::string file)
      : Task(env, Bytes{}), power_(power), file_(std::move(file)) {}

 protected:
  void Run() override { timings_ = zkm::writeDevPtau(power_, file_, threads()); }
  Napi::Value Result(Napi::Env env) override {
    Napi::Object out = Napi::Object::New(env);
    out.Set("powers", timings_.powers);
    out.Set("lagrange", timings_.lagrange);
    return out;
  }

 private:
  unsigned power_;
  std::string file_;
  zkm::DevPtauTimings timings_;
};

class CheckPtauTask : public Task {
 public:
  CheckPtauTask(Napi::Env env, std::string file) : Task(env, Bytes{}), file_(std::move(file)) {}

 protected:
  void Run() override { check_ = zkm::checkPtau(file_, threads()); }
  Napi::Value Result(Napi::Env env) override {
    Napi::Object out = Napi::Object::New(env);
    out.Set("power", check_.power);
    out.Set("ceremonyPower", check_.ceremonyPower);
    out.Set("contributions", check_.contributions);
    out.Set("prepared", check_.prepared);
    return out;
  }

 private:
  std::string file_;
  zkm::PtauCheck check_;
};

class NewZkeyTask : public Task {
 public:
  NewZkeyTask(Napi::Env env, Bytes tail, std::string r1cs, std::string ptau, std::string zkey)
      : Task(env, std::move(tail)), r1cs_(std::move(r1cs)), ptau_(std::move(ptau)), zkey_(std::move(zkey)) {}

 protected:
  void Run() override {
    if (bytes_.data != nullptr && bytes_.size != 64) throw std::runtime_error("the hash tail must be 64 bytes");
    result_ = zkm::newZkey(r1cs_, ptau_, zkey_, bytes_.data, threads());
  }
  Napi::Value Result(Napi::Env env) override {
    static const char digits[] = "0123456789abcdef";
    std::string hex;
    for (uint8_t b : result_.circuitHash) {
      hex += digits[b >> 4];
      hex += digits[b & 15];
    }
    Napi::Object out = Napi::Object::New(env);
    out.Set("circuitHash", hex);
    out.Set("domainSize", result_.domainSize);
    return out;
  }

 private:
  std::string r1cs_, ptau_, zkey_;
  zkm::NewZkey result_;
};

Napi::Value NewZkey(const Napi::CallbackInfo &info) {
  requireCpu(info.Env());
  std::string r1cs = stringArgument(info, 0, "the r1cs file");
  std::string ptau = stringArgument(info, 1, "the ptau file");
  std::string zkey = stringArgument(info, 2, "the zkey file");
  Bytes tail;
  if (info.Length() > 3 && !info[3].IsUndefined()) tail = bytesArgument(info, 3, "the hash tail");
  auto *task = new NewZkeyTask(info.Env(), std::move(tail), std::move(r1cs), std::move(ptau), std::move(zkey));
  Napi::Promise promise = task->promise();
  task->Queue();
  return promise;
}

Napi::Value GenerateDevPtau(const Napi::CallbackInfo &info) {
  requireCpu(info.Env());
  if (info.Length() < 1 || !info[0].IsNumber()) throw Napi::TypeError::New(info.Env(), "the power must be a number");
  int power = info[0].As<Napi::Number>().Int32Value();
  if (power < 1 || power > static_cast<int>(zkm::PTAU_MAX_POWER)) {
    throw Napi::RangeError::New(info.Env(), "the power must be 1 .. " + std::to_string(zkm::PTAU_MAX_POWER));
  }
  auto *task = new DevPtauTask(info.Env(), static_cast<unsigned>(power), stringArgument(info, 1, "the file"));
  Napi::Promise promise = task->promise();
  task->Queue();
  return promise;
}

Napi::Value CheckPtau(const Napi::CallbackInfo &info) {
  requireCpu(info.Env());
  auto *task = new CheckPtauTask(info.Env(), stringArgument(info, 0, "the file"));
  Napi::Promise promise = task->promise();
  task->Queue();
  return promise;
}

Napi::Value VerifyGroth16(const Napi::CallbackInfo &info) {
  requireCpu(info.Env());
  Bytes vkey = bytesArgument(info, 0, "the verification key");
  Bytes proof = bytesArgument(info, 1, "the proof");
  Bytes signals = bytesArgument(info, 2, "the public signals");
  try {
    zkm::VerifyingKey key = zkm::VerifyingKey::read(vkey.data, vkey.size);
    return Napi::Boolean::New(info.Env(),
                              zkm::verifyGroth16(key, proof.data, proof.size, signals.data, signals.size));
  } catch (const std::exception &e) {
    throw Napi::Error::New(info.Env(), e.what());
  }
}

Napi::Value LoadProvingKey(const Napi::CallbackInfo &info) {
  auto *task = new LoadTask(info.Env(), bytesArgument(info, 0, "the zkey"));
  Napi::Promise promise = task->promise();
  task->Queue();
  return promise;
}

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  Napi::Function keyClass = KeyObject::Define(env);
  auto *data = new AddonData();
  data->keyClass = Napi::Persistent(keyClass);
  env.SetInstanceData(data);  // freed with the environment
  exports.Set("ProvingKey", keyClass);
  exports.Set("loadProvingKey", Napi::Function::New(env, LoadProvingKey));
  exports.Set("verifyGroth16", Napi::Function::New(env, VerifyGroth16));
  exports.Set("generateDevPtau", Napi::Function::New(env, GenerateDevPtau));
  exports.Set("checkPtau", Napi::Function::New(env, CheckPtau));
  exports.Set("newZkey", Napi::Function::New(env, NewZkey));
  exports.Set("cpuSupported", Napi::Boolean::New(env, zkm::cpuSupported()));
  exports.Set("threads", Napi::Number::New(env, threads()));
  return exports;
}

}  // namespace

NODE_API_MODULE(zkmargin_native, Init)
