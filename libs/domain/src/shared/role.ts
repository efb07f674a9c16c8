/** What a credential may do; a key or token may hold several (DESIGN.md, "People and access"). */
export const ROLES = ['recorder', 'analyst', 'auditor', 'admin'] as const;
export type Role = (typeof ROLES)[number];

export const isRole = (value: unknown): value is Role => typeof value === 'string' && (ROLES as readonly string[]).includes(value);
