// Sessions & Cookies, Verified: the one script. Copy buttons, specs and evidence shown on demand,
// search. The pages work without it: no button, a link to each spec file and each claim's
// evidence, no search box.
// Shipped as written less comment lines and indentation (see minifyJs): keep it short, with no
// template literals, no multi-line strings and a semicolon or a brace at the end of every statement.
(() => {
  const d = document;
  const all = (selector, f) => d.querySelectorAll(selector).forEach(f);
  const make = (tag, className) => Object.assign(d.createElement(tag), className && { className });
  const root = new URL('../', d.currentScript ? d.currentScript.src : location.href);
  // Fetches a same-site file's text (the status as the error when it is missing).
  const get = (url) => fetch(url).then((r) => (r.ok ? r.text() : Promise.reject(r.status)));

  // Copy buttons copy the code's text: exactly the code shown, nothing else. Outside a secure
  // context (no clipboard API) through a hidden text area.
  const copyText = (text) => {
    if (navigator.clipboard && window.isSecureContext) return navigator.clipboard.writeText(text);
    const area = Object.assign(make('textarea'), { value: text, readOnly: true });
    area.style.cssText = 'position:fixed;opacity:0';
    d.body.append(area);
    area.select();
    const ok = d.execCommand('copy');
    area.remove();
    return ok ? Promise.resolve() : Promise.reject(new Error('copy failed'));
  };
  all('.code[data-copy]', (block) => {
    const button = Object.assign(make('button', 'copy'), { type: 'button', textContent: 'Copy' });
    button.setAttribute('aria-label', 'Copy this code');
    block.prepend(button);
    button.addEventListener('click', () => {
      const say = (text) => () => (button.textContent = text);
      copyText(block.querySelector('code').textContent).then(say('Copied'), say('Copy failed'));
      setTimeout(say('Copy'), 1500);
    });
  });

  // "How this is verified": a spec's source is fetched when its <details> opens and shown as plain
  // text. If that fails, the link to the raw file stays.
  all('details[data-src]', (details) =>
    details.addEventListener('toggle', () => {
      if (!details.open || details.dataset.loaded) return;
      details.dataset.loaded = '1';
      get(details.dataset.src)
        .then((text) => {
          const div = details.appendChild(make('div', 'code'));
          const pre = div.appendChild(make('pre'));
          pre.tabIndex = 0;
          pre.appendChild(make('code')).textContent = text.replace(/\s+$/, '');
        })
        .catch(() => delete details.dataset.loaded);
    }),
  );

  // Evidence: a claim's name links to its exchanges on the chapter's evidence page. Here the link
  // becomes a button that shows them under the claim (the page is fetched once for all claims)
  // and hides them again. If the fetch fails, the link is shown there instead.
  let evidence;
  all('#claims li > a', (link) => {
    const [page, id] = link.getAttribute('href').split('#');
    const button = Object.assign(make('button'), { type: 'button', textContent: link.textContent });
    const li = link.parentNode;
    let panel;
    button.setAttribute('aria-expanded', 'false');
    link.replaceWith(button);
    button.addEventListener('click', () => {
      const open = button.getAttribute('aria-expanded') === 'false';
      button.setAttribute('aria-expanded', open);
      if (panel) {
        panel.hidden = !open;
        return;
      }
      panel = li.appendChild(make('div', 'ev'));
      evidence = evidence || get(page).then((html) => new DOMParser().parseFromString(html, 'text/html'));
      evidence
        .then((doc) => {
          // The claim of that number must be this one (an evidence page from another build is not).
          const item = doc.getElementById(id);
          if (item.querySelector('a').textContent !== button.textContent) throw Error('another build');
          const pre = item.querySelector('.ev pre');
          // "as under claim N": that claim's exchanges are on the evidence page.
          for (const a of pre.querySelectorAll('a[href^="#"]')) a.setAttribute('href', page + a.getAttribute('href'));
          panel.append(d.adoptNode(pre));
        })
        .catch(() => {
          evidence = null;
          link.textContent = 'Open the evidence page';
          panel.append(link);
        });
    });
  });

  // Search: a box here (a combobox over a list box of results, a status line that says how many);
  // the code and style of its results (assets/search.js, search.css) and pagefind's index load
  // when it is first used. "/" and Ctrl+K (Cmd+K) go to the box, except from another field.
  const top = d.querySelector('.top');
  if (!top) return;
  const box = make('div', 'search');
  box.setAttribute('role', 'search');
  const combobox =
    'role="combobox" aria-expanded="false" aria-controls="search-list" aria-autocomplete="list" aria-keyshortcuts="/ Control+K Meta+K"';
  box.innerHTML =
    '<label for="search-input" class="vh">Search the handbook</label><input id="search-input" type="search" placeholder="Search (press /)" autocomplete="off" spellcheck="false" ' +
    combobox +
    '><div class="search-results" hidden></div><p class="vh" role="status"></p>';
  top.append(box);
  const input = box.querySelector('input');
  input.addEventListener(
    'focus',
    () => {
      d.head.append(Object.assign(make('link'), { rel: 'stylesheet', href: new URL('assets/search.css', root).href }));
      import(new URL('assets/search.js', root).href)
        .then((m) => m.start(box, root))
        .catch(() => {
          const panel = box.querySelector('.search-results');
          panel.innerHTML = '<p class="none">Search is not available in this build.</p>';
          panel.hidden = false;
        });
    },
    { once: true },
  );
  d.addEventListener('keydown', (event) => {
    const key = event.key;
    const chord = (event.ctrlKey || event.metaKey) && !event.altKey && (key === 'k' || key === 'K');
    const slash = key === '/' && !event.ctrlKey && !event.metaKey && !event.altKey;
    const target = event.target;
    const field = target.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName);
    if (!(chord || slash) || (field && target !== input) || (slash && target === input)) return;
    event.preventDefault();
    input.focus();
    input.select();
  });
})();
