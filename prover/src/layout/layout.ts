/**
 * Slot layouts (docs/signals.md "Layout", normative; circuits/README.md "Layout"): the ordered
 * universe of a policy on a circuit instance. Every slot's identity (asset symbol, token address
 * and decimals; perp instrument, underlying and size decimals; option instrument and underlying)
 * and the instance's dimensions. Its `layoutId` is the first element of all three commitments and
 * names the layout's market feed in MarketBook, so a round, a policy and a portfolio encoded for
 * different layouts never make a proof together.
 */
import { getAddress, keccak256, toBeHex, toUtf8Bytes } from "ethers";
import type { InstanceDims } from "../encoding/instances";
import type { Policy } from "../inputs/types";
import { canonicalJson } from "../io/canonical-json";

/** The version string inside every layout document (and so inside every layout id). */
export const LAYOUT_VERSION = "zkmargin/layout/v2";

/** A slot layout: what `layoutId` hashes. */
export interface Layout {
  version: typeof LAYOUT_VERSION;
  /** The circuit instance's dimensions (padding is part of the layout). */
  instance: InstanceDims;
  assets: { symbol: string; token: string | null; decimals: number }[];
  perps: { instrument: string; underlying: string; sizeDecimals: number }[];
  options: { instrument: string; underlying: string }[];
}

/** The layout of `policy`'s universe, in its slot order, on a circuit instance of `instance`. */
export function layoutOf(policy: Policy, instance: InstanceDims): Layout {
  return {
    version: LAYOUT_VERSION,
    instance: {
      assets: instance.assets,
      perps: instance.perps,
      options: instance.options,
      scenarios: instance.scenarios,
      tiers: instance.tiers,
      groups: instance.groups,
      joint: instance.joint,
    },
    assets: policy.assets.map((a) => ({
      symbol: a.symbol,
      token: a.token === undefined || a.token === null ? null : getAddress(a.token),
      decimals: a.decimals,
    })),
    perps: policy.perps.map((p) => ({
      instrument: p.instrument,
      underlying: p.underlying,
      sizeDecimals: p.sizeDecimals,
    })),
    options: policy.options.map((o) => ({ instrument: o.instrument, underlying: o.underlying })),
  };
}

/** The layout's canonical JSON (sorted keys, no whitespace): the exact bytes `layoutId` hashes. */
export function canonicalLayout(layout: Layout): string {
  return canonicalJson(layout);
}

/**
 * `layoutId = keccak256(utf8(canonicalLayout(layout))) >> 8`: 248 bits, so it is a field element
 * (and fits one packed element). Renaming, reordering, adding or removing a slot, or changing the
 * instance, changes it.
 */
export function layoutIdOf(layout: Layout): bigint {
  return BigInt(keccak256(toUtf8Bytes(canonicalLayout(layout)))) >> 8n;
}

/** The MarketBook feed id of a layout: its `layoutId` as a 32-byte word (0x-hex). */
export function feedIdOf(layoutId: bigint): string {
  return toBeHex(layoutId, 32);
}
