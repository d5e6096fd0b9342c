/** Minimal typings for the parts of @iden3/binfileutils that zkmargin uses (the package ships none). */
declare module "@iden3/binfileutils" {
  /** A fastfile handle: an open file read through a page cache. */
  interface FastFile {
    fileName: string;
    /** Size of the file in bytes. */
    totalSize: number;
    close(): Promise<void>;
  }

  /** Where each section's bytes start (`p`) and how many there are, by section id. */
  type SectionTable = ({ p: number; size: number }[] | undefined)[];

  /** Opens `fileName`, checks its 4-byte magic `type` and version, and scans its sections. */
  export function readBinFile(
    fileName: string,
    type: string,
    maxVersion: number,
    cacheSize?: number,
    pageSize?: number,
  ): Promise<{ fd: FastFile; sections: SectionTable }>;

  /** `length` bytes of section `idSection` from `offset` (default: the whole section). */
  export function readSection(
    fd: FastFile,
    sections: SectionTable,
    idSection: number,
    offset?: number,
    length?: number,
  ): Promise<Uint8Array>;
}
