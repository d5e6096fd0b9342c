/** The tool's name and version (package.json's), as reports and the CLI state them. */
import { version } from "../../package.json";

/** The package version, e.g. "0.1.0". */
export const TOOL_VERSION: string = version;

/** "zkmargin 0.1.0": what the audit reports name as the tool that wrote them. */
export const TOOL = `zkmargin ${TOOL_VERSION}`;
