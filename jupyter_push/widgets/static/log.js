function render({ model, el }) {
  el.classList.add("jpp-widget", "jpp-logbox");
  el.innerHTML = '<div class="jpp-desc"></div><pre class="jpp-log"></pre>';
  const desc = el.querySelector(".jpp-desc"), pre = el.querySelector(".jpp-log");
  function update() {
    const atBottom = pre.scrollHeight - pre.scrollTop - pre.clientHeight < 8;
    desc.textContent = model.get("description");
    pre.style.maxHeight = model.get("height");
    pre.textContent = model.get("lines").join("\n");
    if (atBottom) pre.scrollTop = pre.scrollHeight;
  }
  update();
  model.on("change", update);
  return () => model.off("change", update);
}

export default { render };
