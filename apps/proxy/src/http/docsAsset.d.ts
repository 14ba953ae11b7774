/** Files the build embeds as text (see build.mjs). */
declare module "docs-asset:*" {
  const text: string
  export default text
}
