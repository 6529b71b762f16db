// Sessions & Cookies, Verified: the one script. Copy buttons, specs shown on demand, search.
// The pages work without it: no button, a link to each spec file, no search box.
(function () {
  'use strict';
  var script = document.currentScript;
  var root = new URL('../', script ? script.src : location.href);

  // Copy buttons copy the code's text: exactly the code shown, nothing else.
  function copyText(text) {
    if (navigator.clipboard && window.isSecureContext) return navigator.clipboard.writeText(text);
    return new Promise(function (resolve, reject) {
      var area = document.createElement('textarea');
      area.value = text;
      area.setAttribute('readonly', '');
      area.style.position = 'fixed';
      area.style.opacity = '0';
      document.body.appendChild(area);
      area.select();
      var ok = document.execCommand('copy');
      document.body.removeChild(area);
      ok ? resolve() : reject(new Error('copy failed'));
    });
  }
  document.querySelectorAll('.code[data-copy]').forEach(function (block) {
    var button = document.createElement('button');
    button.type = 'button';
    button.className = 'copy';
    button.textContent = 'Copy';
    button.setAttribute('aria-label', 'Copy this code');
    block.insertBefore(button, block.firstChild);
    button.addEventListener('click', function () {
      copyText(block.querySelector('code').textContent).then(function () {
        button.textContent = 'Copied';
      }, function () {
        button.textContent = 'Copy failed';
      });
      setTimeout(function () { button.textContent = 'Copy'; }, 1500);
    });
  });

  // "How this is verified": a spec's source is fetched (same origin) when its <details> opens,
  // and shown as plain text. If that fails, the link to the raw file stays.
  document.querySelectorAll('details[data-src]').forEach(function (details) {
    details.addEventListener('toggle', function () {
      if (!details.open || details.dataset.loaded) return;
      details.dataset.loaded = '1';
      fetch(details.dataset.src).then(function (r) {
        if (!r.ok) throw new Error(r.status);
        return r.text();
      }).then(function (text) {
        var div = document.createElement('div');
        var pre = document.createElement('pre');
        var code = document.createElement('code');
        div.className = 'code';
        pre.tabIndex = 0;
        code.textContent = text.replace(/\s+$/, '');
        pre.appendChild(code);
        div.appendChild(pre);
        details.appendChild(div);
      }).catch(function () {
        delete details.dataset.loaded;
      });
    });
  });

  // Search: a box here; the code (assets/search.js) and pagefind's index load when it is first used.
  var top = document.querySelector('.top');
  if (!top) return;
  var box = document.createElement('div');
  box.className = 'search';
  box.setAttribute('role', 'search');
  box.innerHTML = '<label for="search-input" class="vh">Search the handbook</label><input id="search-input" type="search" placeholder="Search the handbook" autocomplete="off" spellcheck="false"><div class="search-results" aria-live="polite"></div>';
  top.appendChild(box);
  var input = box.querySelector('input');
  function start() {
    import(new URL('assets/search.js', root).href).then(function (m) { m.start(box, root); }).catch(function () {
      box.querySelector('.search-results').innerHTML = '<p class="none">Search is not available in this build.</p>';
    });
  }
  input.addEventListener('focus', start, { once: true });
})();
