// `pnpm arvlite <command>`: the installation's admin CLI (issue #20).
export {};
