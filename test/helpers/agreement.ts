/**
 * The circuit-vs-model check shared by the circuit tests: every per-slot intermediate that a
 * MarginProof witness carries equals the reference model's figure for the same inputs (one
 * portfolio, or the sum of several sub-portfolios).
 */
import { expect } from "chai";
import type { Market, Policy, Portfolio } from "../../prover/src/inputs";
import { computeMargin, type MarginReport } from "../../prover/src/model";
import type { CircuitTester } from "./circuit";

/** Values, haircuts, notionals, PnL, requirements, V, R and the concentration excess agree. */
export function expectAgreesWithModel(
  tester: CircuitTester,
  witness: bigint[],
  policy: Policy,
  market: Market,
  portfolio: Portfolio | readonly Portfolio[],
): void {
  const report = computeMargin(policy, market, portfolio);
  report.assets.forEach((asset, i) => {
    expect(tester.signal(witness, `main.collateral[${i}].value`), `v[${i}]`).to.equal(
      asset.valueMicroUsd,
    );
    expect(tester.signal(witness, `main.collateral[${i}].haircut`), `H[${i}]`).to.equal(
      asset.haircutValueMicroUsd,
    );
  });
  report.perps.forEach((perp, j) => {
    expect(tester.signal(witness, `main.perp[${j}].notional`), `n[${j}]`).to.equal(
      perp.notionalMicroUsd,
    );
    expect(tester.signal(witness, `main.perp[${j}].pnl`), `u[${j}]`).to.equal(perp.pnlMicroUsd);
    expect(tester.signal(witness, `main.perp[${j}].requirement`), `M[${j}]`).to.equal(
      perp.requirementMicroUsd,
    );
  });
  expect(tester.signal(witness, "main.book.value"), "V").to.equal(report.options.valueMicroUsd);
  expect(tester.signal(witness, "main.book.som"), "SOM").to.equal(
    report.options.shortOptionMinimumMicroUsd,
  );
  expect(tester.signal(witness, "main.scan.requirement"), "R").to.equal(
    report.options.requirementMicroUsd,
  );
  expect(tester.signal(witness, "main.concentration.excess"), "excess").to.equal(
    report.concentration.reduce((sum, g) => sum + g.excessMicroUsd, 0n),
  );
}

/** A report without its per-sub-portfolio shares: the margin of the sum alone. */
export function totalOf({ pieces: _pieces, ...total }: MarginReport): Omit<MarginReport, "pieces"> {
  return total;
}
