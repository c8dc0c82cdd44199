// Shared input pieces: every string has a length limit, every object is strict, every list is bounded.
import { inputs, roleSchema } from '@arvlite/contract';
import { z } from 'zod';

// The fields clients also check live in the contract; the server parses with the very same schemas.
export const { description, displayName, email, fileName, instant, localDate, timeZone, title } = inputs;
export const role = roleSchema;

export const id = z.uuid({ message: 'expected an id' });

export const password = z.string().min(1, { message: 'must not be empty' }).max(256);
export const opaqueToken = z
  .string()
  .min(16)
  .max(256)
  .regex(/^[A-Za-z0-9_-]+$/, { message: 'malformed token' });

export const pageInput = {
  cursor: z.string().max(200).optional(),
  limit: z.number().int().min(1).max(100).default(20),
};
