/**
 * Entry point of the bundled `filebatch` command.
 */
import { main } from "./main.js"

main()
