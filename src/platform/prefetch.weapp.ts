/** WeChat downloads a subpackage as a whole and the main package at start: nothing to prefetch. */
export function prefetchPages(_paths: string[]): void {
  void _paths
}
