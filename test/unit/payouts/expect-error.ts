import { expect } from 'vitest';
import { ValidationError } from '../../../src/domain/errors.ts';

/** Runs fn, which must throw a ValidationError, and returns that error. */
export function errorOf(fn: () => unknown): ValidationError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(ValidationError);
    return e as ValidationError;
  }
  throw new Error('expected a ValidationError');
}
