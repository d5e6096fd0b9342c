/** The contracts of a deployment file, attached to a provider or signer, after a chain-id check. */
import { FetchRequest, JsonRpcProvider, Network } from "ethers";
import type { Contract, ContractRunner, Provider } from "ethers";
import { attach } from "../chain/deploy";
import { InputError } from "../errors";
import type { Deployment } from "./file";

/** MarketBook, PolicyRegistry and MarginRegistry of the deployment. */
export interface DeployedContracts {
  marketBook: Contract;
  policyRegistry: Contract;
  marginRegistry: Contract;
}

/** Attaches the deployment's contracts to `runner`. */
export function deployedContracts(
  deployment: Deployment,
  runner: ContractRunner,
): DeployedContracts {
  return {
    marketBook: attach("MarketBook", deployment.contracts.marketBook, runner),
    policyRegistry: attach("PolicyRegistry", deployment.contracts.policyRegistry, runner),
    marginRegistry: attach("MarginRegistry", deployment.contracts.marginRegistry, runner),
  };
}

/** Refuses a provider on another chain than the deployment's, or without its MarginRegistry. */
export async function checkDeploymentChain(
  deployment: Deployment,
  provider: Provider,
  file: string,
): Promise<void> {
  const { chainId } = await provider.getNetwork();
  if (chainId.toString() !== deployment.chainId) {
    throw new InputError(
      file,
      "chainId",
      `is ${deployment.chainId} but the node's chain is ${chainId}`,
    );
  }
  const code = await provider.getCode(deployment.contracts.marginRegistry);
  if (code === "0x") {
    throw new InputError(
      file,
      "contracts.marginRegistry",
      `${deployment.contracts.marginRegistry} holds no code on chain ${chainId}`,
    );
  }
}

/**
 * A JSON-RPC provider for a deployment's chain: the chain id fixed (no network detection, so a
 * node that is down fails each call at once instead of retrying in the background), no response
 * caching (a watcher polls), and each request bounded by `timeoutMs`.
 */
export function deploymentProvider(
  url: string,
  deployment: Deployment,
  timeoutMs = 10_000,
): JsonRpcProvider {
  const request = new FetchRequest(url);
  request.timeout = timeoutMs;
  return new JsonRpcProvider(request, Network.from(BigInt(deployment.chainId)), {
    staticNetwork: true,
    cacheTimeout: -1,
    batchMaxCount: 1,
  });
}
