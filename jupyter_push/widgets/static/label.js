function render({ model, el }) {
  el.classList.add("jpp-widget", "jpp-label");
  el.innerHTML = '<div class="jpp-head"><span class="jpp-desc"></span><span class="jpp-value"></span></div>';
  const desc = el.querySelector(".jpp-desc"), value = el.querySelector(".jpp-value");
  function update() {
    desc.textContent = model.get("description");
    value.textContent = model.get("value");
  }
  update();
  model.on("change", update);
  return () => model.off("change", update);
}

export default { render };
