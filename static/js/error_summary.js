// The error summary's links, each to a field with a mistake. Followed by the browser, a link scrolls the
// field itself to the top of the screen, and its label, hint and error, above it, may be cut off on a
// small screen (the style's scroll margin leaves some room, not always enough). With this script, as
// in GOV.UK's error summary, the field's whole block comes into view from its top (its label, or the
// legend of its choices) and the cursor is put in the field.
document.querySelectorAll(".error-summary a[href^='#']").forEach(function (link) {
  link.addEventListener("click", function (event) {
    var field = document.getElementById(decodeURIComponent(link.hash.slice(1)));
    var block = field && field.closest("[id^='div_'], .form-group");
    if (!block) {
      return;
    }
    event.preventDefault();
    block.scrollIntoView({ block: "start" });
    if (field.getBoundingClientRect().top >= window.innerHeight) {
      field.scrollIntoView({ block: "nearest" }); // a block taller than the screen: the field first
    }
    field.focus({ preventScroll: true });
  });
});
