// @ts-check
/**
 * The contract between a tile kind and the hosts (panel, viewer, widgets, snapshots); types only.
 *
 * @typedef {import('./shape.js').JSONValue} JSONValue
 * @typedef {{ channel: string, data: JSONValue, time: number, id?: string,
 *             source?: { kernel?: string, path?: string } }} TileEvent
 * @typedef {{ points: number, lines: number, rows: number, imageBytes: number, history: number }} TileLimits
 * A host that lets its user set controls passes `send` (control.js); it resolves when the server
 * took the value and rejects with the server's message otherwise.
 * @typedef {(channel: string, data: JSONValue) => Promise<unknown>} Send
 * @typedef {{ channel: string, limits: TileLimits, multi: boolean, send?: Send }} TileOptions
 *
 * A tile: `push` only stores (it runs for every event), `draw` updates the DOM (at most once per
 * animation frame, from the scheduler), `text` is the current value in words (static fallbacks).
 * @typedef {{ node: HTMLElement, push(event: TileEvent): void, draw(): void, text(): string,
 *             destroy?: () => void }} Tile
 *
 * A tile kind: its name, the label of the "Show as…" menu, the rule that claims `(channel, data)`
 * and the factory.
 * @typedef {{ name: string, label: string, matches(channel: string, data: JSONValue): boolean,
 *             create(options: TileOptions): Tile }} TileKind
 */

/** @type {TileLimits} */
export const DEFAULT_LIMITS = { points: 2000, lines: 1000, rows: 500, imageBytes: 2_000_000, history: 2000 };
