function duration(seconds) {
  if (seconds == null || !isFinite(seconds)) return "?";
  const s = Math.round(seconds);
  const h = Math.floor(s / 3600), m = Math.floor((s % 3600) / 60), sec = s % 60;
  const mm = h ? String(m).padStart(2, "0") : String(m);
  return (h ? h + ":" : "") + mm + ":" + String(sec).padStart(2, "0");
}

function count(v) {
  return Number.isInteger(v) ? v.toLocaleString("en-US") : v.toFixed(2);
}

function rateText(rate, unit) {
  if (rate == null) return "";
  if (rate > 0 && rate < 1) return (1 / rate).toFixed(2) + " s/" + unit;
  return (rate >= 100 ? Math.round(rate).toLocaleString("en-US") : rate.toFixed(1)) + " " + unit + "/s";
}

function render({ model, el }) {
  el.classList.add("jpp-widget", "jpp-progress");
  el.innerHTML =
    '<div class="jpp-head"><span class="jpp-desc"></span>' +
    '<div class="jpp-track" role="progressbar" aria-valuemin="0" aria-valuemax="100">' +
    '<div class="jpp-fill"></div></div><span class="jpp-pct"></span></div>' +
    '<div class="jpp-stats"></div>';
  const [desc, track, fill, pct, stats] = [".jpp-desc", ".jpp-track", ".jpp-fill", ".jpp-pct", ".jpp-stats"]
    .map((s) => el.querySelector(s));

  function update() {
    const value = model.get("value"), total = model.get("total");
    const rate = model.get("rate"), eta = model.get("eta"), unit = model.get("unit");
    desc.textContent = model.get("description");
    const known = total != null && total > 0;
    const fraction = known ? Math.min(1, Math.max(0, value / total)) : 0;
    const percent = Math.floor(fraction * 100);
    const done = known && value >= total;
    el.classList.toggle("jpp-indeterminate", !known);
    el.classList.toggle("jpp-done", done);
    fill.style.width = known ? fraction * 100 + "%" : "";
    pct.textContent = known ? percent + "%" : "";
    if (known) track.setAttribute("aria-valuenow", String(percent));
    else track.removeAttribute("aria-valuenow");
    const parts = [count(value) + (known ? " / " + count(total) : "") + " " + unit];
    if (rate != null) parts.push(rateText(rate, unit));
    if (known && !done) parts.push("ETA " + duration(eta));
    stats.textContent = parts.join(" · ");
  }

  update();
  model.on("change", update);
  return () => model.off("change", update);
}

export default { render };
