// API keys: what the server, the dashboard and integrators agree on.
import { z } from 'zod';

/** Roles an API key may carry: never owner (a key cannot own, hand over or delete a company). */
export const API_KEY_ROLES = ['viewer', 'editor', 'admin'] as const;
export type ApiKeyRole = (typeof API_KEY_ROLES)[number];
export const apiKeyRoleSchema = z.enum(API_KEY_ROLES);

/** Every key starts with this; the next 8 characters name the key in lists (its `prefix`). */
export const API_KEY_PREFIX = 'arv_live_';
export const API_KEY_NAME_MAX = 100;
