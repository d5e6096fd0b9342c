/**
 * Every custom error of the compiled MarketBook, PolicyRegistry and MarginRegistry has its words
 * (prover/src/chain/refusals.ts), no word is kept for an error they no longer raise, and each
 * sentence names what its arguments say (times with their ISO form) wherever ethers, Hardhat or a
 * JSON-RPC node put the revert data.
 */
import { expect } from "chai";
import { Interface, ZeroHash, keccak256, toUtf8Bytes, type ErrorFragment } from "ethers";
import { loadArtifact } from "../prover/src/chain/artifacts";
import { REFUSALS, explainRevert, refusalText } from "../prover/src/chain/refusals";
import { compileContracts } from "./contracts.fixture";

const CONTRACTS = ["MarketBook", "PolicyRegistry", "MarginRegistry"] as const;

/** A plausible argument of an ABI type (times land in 2026). */
function sample(type: string, name: string): unknown {
  if (type === "address") return "0x70997970C51812dc3A010C7d01b50e0d17dc79C8";
  if (type === "bytes32") return name === "neededRole" ? ZeroHash : keccak256(toUtf8Bytes(name));
  if (type === "string") return "zkmargin";
  if (type === "bool") return true;
  if (/^uint(8|16)$/.test(type)) return 64n;
  return 1_780_000_000n;
}

describe("contract refusals in words", function () {
  let interfaces: Interface[];
  let errors: { contract: string; fragment: ErrorFragment; iface: Interface }[];

  before(async function () {
    await compileContracts();
    interfaces = CONTRACTS.map((name) => new Interface(loadArtifact(name).abi));
    errors = interfaces.flatMap((iface, i) => {
      const found: ErrorFragment[] = [];
      iface.forEachError((fragment) => found.push(fragment));
      return found.map((fragment) => ({ contract: CONTRACTS[i], fragment, iface }));
    });
  });

  it("has words for every custom error of the three contracts, and none for an error they lack", function () {
    const missing = errors
      .filter((e) => REFUSALS[e.fragment.name] === undefined)
      .map((e) => `${e.contract}.${e.fragment.format()}`);
    expect(missing, "errors without words in prover/src/chain/refusals.ts").to.deep.equal([]);
    const names = new Set(errors.map((e) => e.fragment.name));
    const stale = Object.keys(REFUSALS).filter((name) => !names.has(name));
    expect(stale, "words for errors no contract raises").to.deep.equal([]);
  });

  it("puts every error's arguments into its sentence, times with their ISO form", function () {
    for (const { contract, fragment, iface } of errors) {
      const args = fragment.inputs.map((input) => sample(input.type, input.name));
      const data = iface.encodeErrorResult(fragment, args);
      // As `npx hardhat node` nests it, through ethers.
      const refusal = explainRevert({ error: { data: { data } } }, [iface]);
      const where = `${contract}.${fragment.format()}`;
      expect(refusal, where).to.not.equal(undefined);
      expect(refusal!.sentence, where).to.not.match(/undefined|NaN|\[object/);
      expect(refusal!.sentence, where).to.not.match(/has no words/);
      expect(refusal!.call, where).to.equal(`${fragment.name}(${args.map(String).join(", ")})`);
      const times = fragment.inputs.filter((input) =>
        /timestamp|At$|^before$|^current$|validUntil|deadline|schedule/i.test(input.name),
      );
      for (const input of times) {
        expect(refusal!.sentence, `${where}: ${input.name}`).to.include(
          "1780000000 (2026-05-28T20:26:40Z)",
        );
      }
    }
  });

  it("says a stale round in words, with its age rule, and keeps the error's name", function () {
    const iface = interfaces[2];
    const data = iface.encodeErrorResult("StaleRound", [1042n, 1_764_072_000n, 3_600n]);
    const refusal = explainRevert({ code: "CALL_EXCEPTION", data }, interfaces)!;
    expect(refusalText(refusal)).to.equal(
      "StaleRound(1042, 1764072000, 3600): round 1042 is stale: its timestamp 1764072000 " +
        "(2025-11-25T12:00:00Z) is more than the policy's maxRoundAge of 3600 s (1 h) before this " +
        "block; the publisher must post a fresh round (zkmargin publish) and the proof be made on it",
    );
  });

  it("names the role an account lacks, and the feed of an unknown MarketBook round", function () {
    const [book] = interfaces;
    const publisherRole = keccak256(toUtf8Bytes("zkmargin.PUBLISHER_ROLE"));
    const unauthorized = explainRevert(
      {
        data: book.encodeErrorResult("AccessControlUnauthorizedAccount", [
          "0x70997970C51812dc3A010C7d01b50e0d17dc79C8",
          publisherRole,
        ]),
      },
      interfaces,
    )!;
    expect(unauthorized.sentence).to.match(/^0x7099\S+ does not hold PUBLISHER_ROLE: sign with/);
    const feed = keccak256(toUtf8Bytes("feed"));
    const unknown = explainRevert(
      { data: book.encodeErrorResult("UnknownRound", [feed, 9n]) },
      interfaces,
    )!;
    expect(unknown.sentence).to.include(`round 9 was never posted to feed ${feed}`);
  });

  it("leaves a failure without a known custom error alone", function () {
    expect(explainRevert(new Error("socket hang up"), interfaces)).to.equal(undefined);
    expect(explainRevert({ data: "0x12345678" }, interfaces)).to.equal(undefined);
  });
});
