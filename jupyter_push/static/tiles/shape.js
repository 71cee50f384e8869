// @ts-check
/**
 * Shapes of pushed JSON values: the predicates the tile rules are written with (pure, no DOM).
 */

/** @typedef {import('./jsonvalue').JSONValue} JSONValue */
/** @typedef {import('./jsonvalue').JSONObject} JSONObject */
/** @typedef {{ value: number, total: number | null, label?: string }} ProgressReading */

/** The MIME types an image tile shows. */
export const IMAGE_TYPES = ['image/png', 'image/jpeg', 'image/svg+xml'];

/**
 * @param {unknown} value
 * @returns {value is number}
 */
export function isNumber(value) {
  return typeof value === 'number' && Number.isFinite(value);
}

/**
 * @param {unknown} value
 * @returns {value is JSONObject}
 */
export function isObject(value) {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * The last segment of a channel name, lower case: `"train/Loss"` → `"loss"`.
 * @param {string} channel
 */
export function leafOf(channel) {
  const parts = channel.split('/');
  return parts[parts.length - 1].toLowerCase();
}

/**
 * `{"value": number, "total": number or null}` (any other keys allowed, e.g. "label"); a null
 * total (unknown, as tqdm has it) draws an indeterminate bar.
 * @param {unknown} data
 * @returns {data is ProgressReading}
 */
export function isProgressReading(data) {
  return isObject(data) && isNumber(data.value) && 'total' in data && (data.total === null || isNumber(data.total));
}

/**
 * A non-empty object whose every value is a progress reading: one bar per key.
 * @param {unknown} data
 * @returns {data is Record<string, ProgressReading>}
 */
export function isProgressGroup(data) {
  if (!isObject(data)) {
    return false;
  }
  const values = Object.values(data);
  return values.length > 0 && values.every(isProgressReading);
}

/**
 * A non-empty object whose values are all numbers, with at least one besides "step".
 * @param {unknown} data
 * @returns {data is Record<string, number>}
 */
export function isNumberDict(data) {
  if (!isObject(data)) {
    return false;
  }
  const keys = Object.keys(data);
  return keys.some(k => k !== 'step') && keys.every(k => isNumber(data[k]));
}

/**
 * `{"image/png": base64}`, `{"image/jpeg": base64}` or `{"image/svg+xml": text}`.
 * @param {unknown} data
 * @returns {string | null} the MIME type
 */
export function imageType(data) {
  if (!isObject(data)) {
    return null;
  }
  for (const type of IMAGE_TYPES) {
    if (typeof data[type] === 'string') {
      return type;
    }
  }
  return null;
}

/**
 * @param {unknown} value
 * @returns {value is null | boolean | number | string}
 */
export function isScalar(value) {
  return value === null || ['boolean', 'number', 'string'].includes(typeof value);
}

/**
 * A table: a non-empty list of objects (records), `{"columns": [...], "rows": [[...], ...]}`,
 * or one flat record of scalars that is not all numbers.
 * @param {unknown} data
 */
export function isTableData(data) {
  if (Array.isArray(data)) {
    return data.length > 0 && data.every(isObject);
  }
  if (!isObject(data)) {
    return false;
  }
  if (Array.isArray(data.columns) && Array.isArray(data.rows)) {
    return data.columns.every(c => typeof c === 'string') && data.rows.every(Array.isArray);
  }
  const values = Object.values(data);
  return values.length > 0 && values.every(isScalar) && !values.every(isNumber);
}

/**
 * The numbers one value adds to a chart, or null: a number is series "value"; an object of
 * numbers gives a series per key, its "step" (if any) being the x coordinate.
 * @param {unknown} data
 * @returns {{ step: number | null, values: Record<string, number> } | null}
 */
export function chartPoint(data) {
  if (isNumber(data)) {
    return { step: null, values: { value: data } };
  }
  if (isObject(data)) {
    /** @type {Record<string, number>} */
    const values = {};
    let any = false;
    for (const [k, v] of Object.entries(data)) {
      if (k !== 'step' && isNumber(v)) {
        values[k] = v;
        any = true;
      }
    }
    if (any) {
      return { step: isNumber(data.step) ? data.step : null, values };
    }
  }
  return null;
}
