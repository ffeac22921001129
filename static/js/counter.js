// Live count of the characters left in text areas with data-counter. Without script,
// the field's hint states the limit. The wording comes from the page, translated.
document.querySelectorAll("textarea[data-counter]").forEach(function (area) {
  var limit = parseInt(area.dataset.counter, 10);
  var status = document.createElement("p");
  status.className = "form-text";
  status.setAttribute("aria-live", "polite");
  area.insertAdjacentElement("afterend", status);
  function update() {
    var left = limit - area.value.length;
    var wording = left >= 0 ? area.dataset.remaining : area.dataset.over;
    status.textContent = wording.replace("{count}", Math.abs(left).toLocaleString());
    status.classList.toggle("error-message", left < 0);
  }
  area.addEventListener("input", update);
  update();
});
