/** The element id of a form field (or of one row of a list field, "links.2"), safe in selectors. */
export function fieldDomId(name: string): string {
  return `field-${name.replace(/[^A-Za-z0-9_-]/g, '-')}`
}
