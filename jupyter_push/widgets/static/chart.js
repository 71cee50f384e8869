const COLORS = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#17becf"];
const SVG = "http://www.w3.org/2000/svg";
const W = 640, PAD_L = 56, PAD_R = 12, PAD_T = 8, PAD_B = 22;

function svg(tag, attrs, parent) {
  const node = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, String(v));
  parent.appendChild(node);
  return node;
}

function label(v) {
  const a = Math.abs(v);
  if (a !== 0 && (a < 1e-3 || a >= 1e6)) return v.toExponential(2);
  return String(Number(v.toPrecision(4)));
}

function bounds(series) {
  let x0 = Infinity, x1 = -Infinity, y0 = Infinity, y1 = -Infinity;
  for (const points of Object.values(series)) {
    for (const [x, y] of points) {
      if (x < x0) x0 = x; if (x > x1) x1 = x;
      if (y < y0) y0 = y; if (y > y1) y1 = y;
    }
  }
  if (x0 === Infinity) return null;
  if (x1 === x0) { x0 -= 1; x1 += 1; }
  if (y1 === y0) { const d = Math.abs(y0) * 0.1 || 1; y0 -= d; y1 += d; }
  return { x0, x1, y0, y1 };
}

function draw(root, series, H) {
  root.replaceChildren();
  root.setAttribute("viewBox", `0 0 ${W} ${H}`);
  const b = bounds(series);
  const left = PAD_L, right = W - PAD_R, top = PAD_T, bottom = H - PAD_B;
  svg("line", { x1: left, y1: bottom, x2: right, y2: bottom, class: "jpp-axis" }, root);
  svg("line", { x1: left, y1: top, x2: left, y2: bottom, class: "jpp-axis" }, root);
  if (!b) return;
  const sx = (x) => left + ((x - b.x0) / (b.x1 - b.x0)) * (right - left);
  const sy = (y) => bottom - ((y - b.y0) / (b.y1 - b.y0)) * (bottom - top);
  const text = (s, x, y, anchor) => { svg("text", { x, y, "text-anchor": anchor }, root).textContent = s; };
  text(label(b.y1), left - 4, top + 10, "end");
  text(label(b.y0), left - 4, bottom, "end");
  text(label(b.x0), left, H - 6, "start");
  text(label(b.x1), right, H - 6, "end");
  Object.entries(series).forEach(([name, points], i) => {
    const d = points.map(([x, y]) => sx(x).toFixed(1) + "," + sy(y).toFixed(1)).join(" ");
    svg("polyline", {
      points: d, fill: "none", stroke: COLORS[i % COLORS.length], "stroke-width": 1.6,
      "data-series": name, class: "jpp-line",
    }, root);
  });
}

function render({ model, el }) {
  el.classList.add("jpp-widget", "jpp-chart");
  el.innerHTML = '<div class="jpp-head"><span class="jpp-desc"></span><span class="jpp-legend"></span></div>';
  const desc = el.querySelector(".jpp-desc"), legend = el.querySelector(".jpp-legend");
  const root = svg("svg", { role: "img" }, el);

  function update() {
    const series = model.get("series") || {};
    desc.textContent = model.get("description");
    legend.replaceChildren(...Object.entries(series).map(([name, points], i) => {
      const item = document.createElement("span");
      const swatch = document.createElement("span");
      swatch.className = "jpp-swatch";
      swatch.style.background = COLORS[i % COLORS.length];
      const last = points.length ? label(points[points.length - 1][1]) : "";
      item.append(swatch, `${name} ${last}`);
      return item;
    }));
    draw(root, series, model.get("height"));
  }

  update();
  model.on("change", update);
  return () => model.off("change", update);
}

export default { render };
