/** The pin: `{ version, package, integrity }`. */
export const shipped: any
export function shippedNode(pin?: any): string
// # sourceMappingURL=shipped-node.d.mts.map
