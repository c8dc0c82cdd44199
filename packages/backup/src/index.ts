// Backups that restore: see README "Operating ARVlite".
export {};
