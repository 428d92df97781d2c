/** The flags the kit's node runs with (see node-flags.mjs). */
export declare const NODE_FLAGS: string[];
/** Whether node already runs with the flags: given on its command line, or in NODE_OPTIONS. */
export declare function hasNodeFlags(execArgv: readonly string[], nodeOptions?: string): boolean;
