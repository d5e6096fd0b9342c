/** Reading and validating the three input files. */
import { readJsonFile } from "../io/json";
import { parseMarket } from "./market";
import { parsePolicy } from "./policy";
import { parsePortfolio } from "./portfolio";
import type { Market, Policy, Portfolio } from "./types";

/** Reads and validates policy.json. */
export function loadPolicy(file: string): Policy {
  return parsePolicy(readJsonFile(file), file);
}

/** Reads and validates market.json. */
export function loadMarket(file: string): Market {
  return parseMarket(readJsonFile(file), file);
}

/** Reads and validates portfolio.json against the policy whose slots and decimals it uses. */
export function loadPortfolio(file: string, policy: Policy): Portfolio {
  return parsePortfolio(readJsonFile(file), file, policy);
}
