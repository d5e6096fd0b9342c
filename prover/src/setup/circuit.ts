/**
 * The circuit side of a setup: compiling an instance (through `prover/src/build/compile.ts`), its
 * parameters from `circuits/instances.json`, and a fingerprint of the sources the r1cs comes from,
 * which decides whether a setup must be redone without compiling anything.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { compileInstance } from "../build/compile";
import { loadInstances } from "../encoding/instances";
import { sha256File, sha256Hex } from "./hash";
import type { InstanceParams } from "./manifest";
import type { SetupPaths } from "./paths";

/** What compiling an instance yields (paths to the compiled artifacts). */
export interface CompiledCircuit {
  r1cs: string;
  wasm: string;
}

/** Compiles an instance; `prover/src/build/compile.ts`'s `compileInstance` by default. */
export type CompileFn = (instance: string) => Promise<CompiledCircuit> | CompiledCircuit;

/** The project's compiler: `compileInstance` of `prover/src/build/compile.ts`. */
export const compileWithCircom: CompileFn = (instance) => compileInstance(instance);

/** The parameters of `instance` from `circuits/instances.json`; throws naming the file if unknown. */
export function instanceParams(paths: SetupPaths, instance: string): InstanceParams {
  const instances = loadInstances(paths.instances);
  const params = instances[instance];
  if (!params) {
    throw new Error(
      `${paths.instances}: unknown instance "${instance}" (known: ${Object.keys(instances).join(", ")})`,
    );
  }
  return params;
}

function listFiles(dir: string, keep: (file: string) => boolean): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((d) => {
    const full = path.join(dir, d.name);
    if (d.isDirectory()) return listFiles(full, keep);
    return d.isFile() && keep(full) ? [full] : [];
  });
}

function packageVersion(paths: SetupPaths, name: string): string {
  const file = path.join(paths.root, "node_modules", name, "package.json");
  return fs.existsSync(file)
    ? String((JSON.parse(fs.readFileSync(file, "utf8")) as { version?: string }).version)
    : "absent";
}

/**
 * sha256 over everything an instance's r1cs is compiled from: every `.circom` file under
 * `circuits/`, the instance's parameters, and the circomlib and circom2 versions.
 */
export async function sourceFingerprint(paths: SetupPaths, instance: string): Promise<string> {
  const circuits = path.join(paths.root, "circuits");
  const files = listFiles(circuits, (f) => f.endsWith(".circom")).sort();
  const lines: string[] = [];
  for (const file of files)
    lines.push(`${path.relative(paths.root, file)} ${await sha256File(file)}`);
  lines.push(`instance ${instance} ${JSON.stringify(instanceParams(paths, instance))}`);
  lines.push(
    `circomlib ${packageVersion(paths, "circomlib")}`,
    `circom2 ${packageVersion(paths, "circom2")}`,
  );
  return sha256Hex(lines.join("\n"));
}
