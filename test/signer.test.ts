/**
 * Secrets typed by a person (prover/src/signer): a keystore's password from the environment or
 * asked on a terminal without echo (twice for a new keystore, the two compared), never without a
 * terminal; a key to import from a named environment variable, the terminal or a piped stdin;
 * no secret ever in an error. Keystores written and used by the CLI: test/cli.test.ts.
 */
import * as fs from "node:fs";
import path from "node:path";
import { PassThrough } from "node:stream";
import { expect } from "chai";
import { InputError } from "../prover/src/errors";
import {
  keystoreAddress,
  passwordForNew,
  passwordToOpen,
  privateKeyToImport,
  type PromptStreams,
} from "../prover/src/signer";
import { removeTempDirs, tempDir } from "./helpers/cli";

const KEY = "0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d";

/** A terminal that types `answers`, one per prompt, and records what was shown. */
function terminal(answers: string[], isTTY = true): PromptStreams & { shown: () => string } {
  const input = Object.assign(new PassThrough(), { isTTY });
  const output = Object.assign(new PassThrough(), { isTTY });
  let shown = "";
  let prompts = 0;
  output.on("data", (chunk: Buffer) => {
    shown += chunk.toString();
    // Answer each prompt (text ending in ": ") once it is shown.
    const asked = shown.match(/[a-z)]: /g)?.length ?? 0;
    for (; prompts < asked; prompts++) {
      const answer = answers.shift();
      if (answer !== undefined) setImmediate(() => input.write(`${answer}\n`));
    }
  });
  return { input, output, shown: () => shown };
}

/** The refusal `action` throws. */
async function refusal(action: () => Promise<unknown>): Promise<InputError> {
  try {
    await action();
  } catch (error) {
    expect(error).to.be.instanceOf(InputError);
    return error as InputError;
  }
  throw new Error("expected a refusal");
}

describe("signer: passwords and keys typed by a person", function () {
  after(removeTempDirs);

  it("asks a new keystore's password twice without echo, or takes the environment's", async function () {
    const tty = terminal(["correct horse", "correct horse"]);
    expect(await passwordForNew("k.json", {}, tty)).to.equal("correct horse");
    expect(tty.shown()).to.contain("new password for k.json: ");
    expect(tty.shown()).to.contain("the same password again: ");
    expect(tty.shown()).to.not.contain("correct");
    const env = { ZKMARGIN_KEYSTORE_PASSWORD: "battery staple" };
    expect(await passwordForNew("k.json", env, terminal([]))).to.equal("battery staple");
    expect(await passwordToOpen("k.json", {}, terminal(["open sesame"]))).to.equal("open sesame");
  });

  it("refuses two entries that differ, a short password and no terminal, never showing one", async function () {
    const differ = await refusal(() =>
      passwordForNew("k.json", {}, terminal(["correct horse", "correct house"])),
    );
    expect(differ.message).to.equal("prompt: password: the two entries differ");
    const short = await refusal(() => passwordForNew("k.json", {}, terminal(["short"])));
    expect(short.message).to.match(/^prompt: password: must have at least 8 characters/);
    expect(short.message).to.not.contain("short");
    const none = await refusal(() => passwordToOpen("k.json", {}, terminal([], false)));
    expect(none.message).to.equal(
      "environment: ZKMARGIN_KEYSTORE_PASSWORD: must hold the keystore's password (or run in a terminal to be asked for it)",
    );
  });

  it("takes a key to import from a named variable, the terminal or a pipe, refusing a bad one unseen", async function () {
    expect(await privateKeyToImport("MY_KEY", { MY_KEY: KEY })).to.equal(KEY);
    const tty = terminal([KEY.slice(2)]);
    expect(await privateKeyToImport(undefined, {}, tty)).to.equal(KEY);
    expect(tty.shown()).to.not.contain(KEY.slice(10));
    const pipe = Object.assign(new PassThrough(), { isTTY: false });
    pipe.end(`${KEY}\nignored\n`);
    expect(
      await privateKeyToImport(undefined, {}, { input: pipe, output: new PassThrough() }),
    ).to.equal(KEY);
    const bad = await refusal(() => privateKeyToImport("MY_KEY", { MY_KEY: "0xdeadbeef" }));
    expect(bad.message).to.equal("environment: MY_KEY: must be a 32-byte hex private key");
    const missing = await refusal(() => privateKeyToImport("MY_KEY", {}));
    expect(missing.message).to.equal("environment: MY_KEY: must hold the private key to import");
  });

  it("reads a keystore's address without its password, and refuses what is not a keystore", function () {
    const dir = tempDir();
    const file = path.join(dir, "k.json");
    fs.writeFileSync(
      file,
      JSON.stringify({
        address: "70997970c51812dc3a010c7d01b50e0d17dc79c8",
        version: 3,
        crypto: { cipher: "aes-128-ctr", kdf: "scrypt", ciphertext: "00", mac: "00" },
      }),
    );
    expect(keystoreAddress(file)).to.equal("0x70997970C51812dc3A010C7d01b50e0d17dc79C8");
    fs.writeFileSync(file, "{}");
    expect(() => keystoreAddress(file)).to.throw(`${file}: $: is not an encrypted JSON keystore`);
    expect(() => keystoreAddress(path.join(dir, "none.json"))).to.throw("cannot read the keystore");
  });
});
