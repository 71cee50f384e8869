// @ts-check
/**
 * Table tile: a list of records, `{"columns": [...], "rows": [[...], ...]}` (replaces the
 * table), or one flat record per push (appended). Records with an "id" or "key" field (or the
 * column named by `{"key": ...}`) replace the row with the same key (upsert). The last N rows are
 * kept; a click on a column header sorts by it.
 */

import { el } from './dom.js';
import { formatNumber } from './format.js';
import { isObject, isTableData } from './shape.js';

/** @typedef {import('./types.js').TileEvent} TileEvent */
/** @typedef {import('./types.js').TileOptions} TileOptions */
/** @typedef {import('./shape.js').JSONValue} JSONValue */
/** @typedef {Record<string, JSONValue>} Row */

const SHOWN = 100;

/**
 * @param {string} _channel
 * @param {unknown} data
 */
function matches(_channel, data) {
  return isTableData(data);
}

/** @param {JSONValue | undefined} v */
function cell(v) {
  if (v === undefined || v === null) {
    return '';
  }
  if (typeof v === 'number') {
    return formatNumber(v);
  }
  return typeof v === 'string' ? v : JSON.stringify(v);
}

/**
 * @param {JSONValue | undefined} a
 * @param {JSONValue | undefined} b
 */
function compare(a, b) {
  if (typeof a === 'number' && typeof b === 'number') {
    return a - b;
  }
  return cell(a).localeCompare(cell(b), undefined, { numeric: true });
}

/** @param {TileOptions} options */
function create(options) {
  const node = el('div', 'jpt-table');
  const table = el('table', 'jpt-tableGrid');
  const head = el('thead', '');
  const body = el('tbody', '');
  table.append(head, body);
  const note = el('div', 'jpt-range');
  node.append(table, note);
  /** @type {string[]} */
  let columns = [];
  /** @type {Row[]} */
  let rows = [];
  /** @type {string | null} */
  let key = null;
  /** @type {{ column: string, descending: boolean } | null} */
  let sort = null;

  /** @param {Row} record */
  const add = record => {
    for (const c of Object.keys(record)) {
      if (!columns.includes(c)) {
        columns.push(c);
      }
    }
    const k = key ?? ('id' in record ? 'id' : 'key' in record ? 'key' : null);
    if (k !== null && key === null) {
      key = k;
    }
    const at = k === null ? -1 : rows.findIndex(r => r[k] === record[k]);
    if (at >= 0) {
      rows[at] = record;
    } else {
      rows.push(record);
    }
  };

  const tile = {
    node,
    /** @param {TileEvent} event */
    push(event) {
      const data = event.data;
      if (!isTableData(data)) {
        return;
      }
      if (Array.isArray(data)) {
        data.forEach(r => add(/** @type {Row} */ (r)));
      } else if (isObject(data) && Array.isArray(data.columns) && Array.isArray(data.rows)) {
        columns = data.columns.map(String);
        key = typeof data.key === 'string' ? data.key : null;
        rows = [];
        for (const r of data.rows) {
          const values = /** @type {JSONValue[]} */ (r);
          /** @type {Row} */
          const record = {};
          columns.forEach((c, i) => (record[c] = values[i] ?? null));
          add(record);
        }
      } else if (isObject(data)) {
        add(data);
      }
      if (rows.length > options.limits.rows) {
        rows.splice(0, rows.length - options.limits.rows);
      }
    },
    draw() {
      const headRow = el('tr', '');
      for (const c of columns) {
        const th = el('th', '');
        const button = el('button', 'jpt-sort', c);
        button.type = 'button';
        button.addEventListener('click', () => {
          sort = sort && sort.column === c ? { column: c, descending: !sort.descending } : { column: c, descending: false };
          tile.draw();
        });
        th.setAttribute('aria-sort', sort?.column === c ? (sort.descending ? 'descending' : 'ascending') : 'none');
        th.append(button);
        headRow.append(th);
      }
      head.replaceChildren(headRow);
      let shown = rows.slice(-SHOWN);
      if (sort) {
        const { column, descending } = sort;
        shown = shown.sort((a, b) => (descending ? -1 : 1) * compare(a[column], b[column]));
      }
      body.replaceChildren(
        ...shown.map(r => {
          const tr = el('tr', '');
          for (const c of columns) {
            tr.append(el('td', typeof r[c] === 'number' ? 'jpt-num' : '', cell(r[c])));
          }
          return tr;
        })
      );
      note.textContent = `${rows.length} rows${rows.length > SHOWN ? `, last ${SHOWN} shown` : ''}${key ? ` · key ${key}` : ''}`;
    },
    text() {
      return [columns.join('\t'), ...rows.slice(-10).map(r => columns.map(c => cell(r[c])).join('\t'))].join('\n');
    }
  };
  return tile;
}

/** @type {import('./types.js').TileKind} */
export const tableKind = { name: 'table', label: 'Table', matches, create };
