// Types for import-cycles.mjs (test/import-cycles.test.ts reads its --json output and uses tiedGroups).
export declare const SOURCE_DIRS: readonly string[];
export interface ImportGraph {
  graph: Record<string, string[]>;
  cycles: string[][];
  unresolved: string[];
}
export declare function importGraph(): Promise<ImportGraph>;
export declare function tiedGroups(graph: Record<string, readonly string[]>): string[][];
