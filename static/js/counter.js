// Count of the characters left in text areas with data-counter. Without script, the field's hint
// states the limit and the server refuses a longer text with a message. The wording comes from the
// page, translated; the number is written as the page's language (<html lang>) writes numbers, not
// the browser's: "4,997" on an English page, « 4 997 » on a French one.
//
// The count shown follows every key. Screen readers hear it from a region of its own, polite and
// out of sight, written once typing has stopped for ANNOUNCE_AFTER milliseconds, never at each key;
// the count shown is hidden from them, so that it is not read twice.
(function () {
  var ANNOUNCE_AFTER = 2000;
  var language = document.documentElement.lang || "en";
  var numbers = new Intl.NumberFormat(language.indexOf("-") === -1 ? language + "-CA" : language);

  document.querySelectorAll("textarea[data-counter]").forEach(function (area) {
    var limit = parseInt(area.dataset.counter, 10);
    var shown = document.createElement("p");
    shown.className = "form-text";
    shown.setAttribute("aria-hidden", "true");
    var spoken = document.createElement("p");
    spoken.className = "visually-hidden";
    spoken.setAttribute("aria-live", "polite");
    area.insertAdjacentElement("afterend", spoken);
    area.insertAdjacentElement("afterend", shown);
    var pending;

    function wording() {
      var left = limit - area.value.length;
      var words = left >= 0 ? area.dataset.remaining : area.dataset.over;
      return { text: words.replace("{count}", numbers.format(Math.abs(left))), over: left < 0 };
    }

    function show() {
      var count = wording();
      shown.textContent = count.text;
      shown.classList.toggle("error-message", count.over);
      return count.text;
    }

    area.addEventListener("input", function () {
      var text = show();
      clearTimeout(pending);
      pending = setTimeout(function () {
        if (spoken.textContent !== text) {
          spoken.textContent = text;
        }
      }, ANNOUNCE_AFTER);
    });
    show();
  });
})();
