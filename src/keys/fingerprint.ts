/** How a key id is shown to people: 16 hex digits in groups of four ("1a25 be3e 6b4b 9a7b"). */
export function groupedKid(kid: string): string {
  return kid.replace(/(.{4})(?=.)/g, '$1 ')
}
