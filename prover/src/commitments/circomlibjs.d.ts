/** Minimal typings for the parts of circomlibjs that zkmargin uses (the package ships none). */
declare module "circomlibjs" {
  /** Element of the BN254 scalar field in circomlibjs' internal (Montgomery) representation. */
  type FieldElement = Uint8Array;

  interface PoseidonField {
    toObject(element: FieldElement): bigint;
    e(value: bigint | number | string): FieldElement;
  }

  /** circomlib's Poseidon over 1..16 inputs. */
  interface Poseidon {
    (inputs: readonly (bigint | number | string)[]): FieldElement;
    F: PoseidonField;
  }

  export function buildPoseidon(): Promise<Poseidon>;
  export function buildPoseidonReference(): Promise<Poseidon>;
}
