/** Types of lazy-bson-buffer.js (plain JavaScript: Jest's transform requires it as it is). */
export interface LazyBsonVersion {
  file: string;
  sha256: string;
  declaration: string;
  allocate: string;
}
export declare const LAZY_BSON_VERSIONS: readonly LazyBsonVersion[];
export declare function lazyBsonBuffer(source: string): string | null;
