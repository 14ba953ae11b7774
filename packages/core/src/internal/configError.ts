import type { ConfigError } from "effect"

export const describeConfigError = (error: ConfigError.ConfigError): string => {
  const lines: Array<string> = []
  const visit = (node: ConfigError.ConfigError): void => {
    switch (node._op) {
      case "And":
      case "Or":
        visit(node.left)
        visit(node.right)
        return
      case "MissingData": {
        const name = node.path.join(".")
        lines.push(node.message.startsWith("Expected ") && name !== "" ? `${name} is missing` : node.message)
        return
      }
      case "InvalidData":
      case "SourceUnavailable":
      case "Unsupported": {
        const name = node.path.join(".")
        lines.push(name === "" || node.message.startsWith(name) ? node.message : `${name}: ${node.message}`)
        return
      }
    }
  }
  visit(error)
  return [...new Set(lines)].join("; ")
}
