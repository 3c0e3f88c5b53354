/**
 * Reading fields of an action's event. The event is untrusted input from the mini-program: a
 * field of the wrong type or size is INVALID_ARGUMENT, never coerced.
 */
import { AppError } from './errors';

export function optionalString(event: Record<string, unknown>, name: string, maxLength: number): string | undefined {
  const value = event[name];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw new AppError('INVALID_ARGUMENT', `${name} must be a string`);
  if (value.length > maxLength) throw new AppError('INVALID_ARGUMENT', `${name} is longer than ${maxLength}`);
  return value;
}

export function requiredString(event: Record<string, unknown>, name: string, maxLength: number): string {
  const value = optionalString(event, name, maxLength);
  if (value === undefined || value === '') throw new AppError('INVALID_ARGUMENT', `${name} is required`);
  return value;
}
