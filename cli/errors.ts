/** Wrong command line (unknown command or option, missing or malformed argument): exit code 2. */
export class UsageError extends Error {
  override readonly name = "UsageError";
}

/** The command could not do its job (no such token, file exists …): exit code 1. */
export class CliError extends Error {
  override readonly name = "CliError";
}
