/** keywarden's version, as `--version` and reports (SARIF) show it. */
export const VERSION = '0.1.0';
