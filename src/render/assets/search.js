// Sessions & Cookies, Verified: search, loaded by site.js when the search box is first used.
// pagefind's index is loaded from this site; results are shown under the box.
// The box is a combobox (ARIA 1.2) and its results a list box: the focus stays in the box, the
// arrow keys move through the results (aria-activedescendant), Enter opens one, Escape closes
// them (a second Escape empties the box). A status line says how many pages were found. Each page
// found links to itself and to its best sections (pagefind's sub-results, from the headings' ids).
// Shipped through minifyJs: no template literals or multi-line strings, a ; or a brace ends each statement.

// pagefind (1.6) backtracks: a query word found nowhere is cut a letter at a time until some word
// of the index begins with what is left ("xyzzy" finds the "x" of curl's "-X"), and those pages
// come back as results. A page is kept only if each word of the query is in it as typed: a word of
// the page begins with it, or shares all of it but an ending the English stemmer takes off
// ("cookies" finds "cookie", "running" finds "run", "xyzzy" does not find "x").
const ENDING =
  /^(e|s|es|ies|y|ied|ier|iest|ily|iness|ed|d|ing|er|ers|ly|ness|ment|ments|ation|ations|ational|ate|ates|ated|ating|ize|izes|ized|izing|ization|ise|ises|ised|ising|isation|ful|ity|ities|ive|al|ally|ance|ence|able|ible|ism|ist|ists|ous)$/;
const plain = (text) => text.toLowerCase().replace(/[^\p{L}\p{N}\s]+/gu, '');
export function related(word, term) {
  if (word.startsWith(term)) return true;
  let n = 0;
  while (n < word.length && word[n] === term[n]) n++;
  if (n < 3) return false;
  const rest = term.slice(n);
  return ENDING.test(rest) || (rest[0] === term[n - 1] && ENDING.test(rest.slice(1)));
}
// A word of the page as pagefind indexed it: whole ("express-session" as "expresssession") and in parts.
const forms = (word) => [plain(word)].concat(word.toLowerCase().split(/[^\p{L}\p{N}]+/u));
const found = (words, locations, term) =>
  locations.some((at) => forms(words[at] || '').some((form) => related(form, term)));
export function queryTerms(query) {
  return plain(query).split(/\s+/).filter(Boolean);
}

// At most this many pages are shown, of at most CHECKED that pagefind found; each page with up to SECTIONS sections.
const SHOWN = 8;
const CHECKED = 24;
const SECTIONS = 3;

export function start(box, root) {
  const input = box.querySelector('input');
  const panel = box.querySelector('.search-results');
  const status = box.querySelector('[role=status]');
  let pagefind = null;
  let timer = 0;
  let latest = 0;
  let active = -1;

  const load = () => {
    if (!pagefind) {
      pagefind = import(new URL('pagefind/pagefind.js', root).href).then((pf) =>
        Promise.resolve(pf.options({ baseUrl: root.pathname })).then(() => pf),
      );
    }
    return pagefind;
  };
  const escapeHtml = (s) => s.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]);
  const options = () => panel.querySelectorAll('[role=option]');
  const open = (yes) => {
    const show = yes && panel.innerHTML !== '';
    panel.hidden = !show;
    input.setAttribute('aria-expanded', String(show && options().length > 0));
  };
  const select = (index) => {
    const all = options();
    if (active >= 0 && all[active]) all[active].setAttribute('aria-selected', 'false');
    active = all.length === 0 ? -1 : (index + all.length) % all.length;
    if (active < 0) return input.removeAttribute('aria-activedescendant');
    const option = all[active];
    option.setAttribute('aria-selected', 'true');
    input.setAttribute('aria-activedescendant', option.id);
    option.scrollIntoView({ block: 'nearest' });
  };
  const show = (html, said) => {
    active = -1;
    input.removeAttribute('aria-activedescendant');
    panel.innerHTML = html;
    status.textContent = said;
    open(true);
  };

  // Keeps the pages (and their sections) that hold every word of the query as typed, up to SHOWN.
  const pages = (results, terms) => {
    const kept = [];
    for (const r of results) {
      if (kept.length === SHOWN) break;
      const words = r.content.split(/\s+/);
      if (!terms.every((term) => found(words, r.locations, term))) continue;
      const sections = r.sub_results
        .filter((s) => s.url.includes('#') && s.title !== r.meta.title) // the h1's section is the page
        .map((s) => ({ s, n: terms.filter((term) => found(words, s.locations, term)).length, w: s.locations.length }))
        .filter((x) => x.n > 0)
        .sort((a, b) => b.n - a.n || b.w - a.w)
        .slice(0, SECTIONS)
        .map((x) => x.s);
      kept.push({ r, sections });
    }
    return kept;
  };
  const option = (id, href, title, excerpt, extra, className) =>
    '<a role="option" aria-selected="false" class="' +
    className +
    '" id="' +
    id +
    '" href="' +
    escapeHtml(href) +
    '"><b>' +
    escapeHtml(title) +
    '</b>' +
    extra +
    '<span>' +
    excerpt +
    '</span></a>';
  const list = (kept) => {
    let n = 0;
    return kept
      .map(({ r, sections }) => {
        const title = r.meta.title || r.url;
        const page = option(`search-o${n++}`, r.url, title, r.excerpt, '', 'page');
        return (
          page +
          sections
            .map((s) =>
              option(
                `search-o${n++}`,
                s.url,
                s.title,
                s.excerpt,
                `<span class="vh"> (in ${escapeHtml(title)})</span>`,
                'section',
              ),
            )
            .join('')
        );
      })
      .join('');
  };

  const run = () => {
    const query = input.value.trim();
    const ticket = ++latest;
    const terms = queryTerms(query);
    if (!query) return show('', '');
    load()
      .then((pf) => pf.search(query))
      .then((search) => Promise.all(search.results.slice(0, CHECKED).map((r) => r.data())))
      .then((results) => {
        if (ticket !== latest) return;
        const kept = terms.length === 0 ? [] : pages(results, terms);
        if (kept.length === 0) return show(`<p class="none">No results for “${escapeHtml(query)}”.</p>`, 'No results');
        const said = kept.length === 1 ? '1 page found' : `${kept.length} pages found`;
        show(
          `<div role="listbox" id="search-list" aria-label="Search results">${list(kept)}</div>`,
          `${said}: arrow keys to choose, Enter to open`,
        );
      })
      .catch(() => {
        if (ticket === latest)
          show('<p class="none">Search is not available in this build.</p>', 'Search is not available in this build');
      });
  };

  load().catch(() => {});
  input.addEventListener('input', () => {
    clearTimeout(timer);
    timer = setTimeout(run, 120);
  });
  input.addEventListener('keydown', (event) => {
    const all = options();
    const key = event.key;
    if (key === 'ArrowDown' || key === 'ArrowUp') {
      if (all.length === 0) return;
      event.preventDefault();
      if (panel.hidden) open(true);
      select(active < 0 && key === 'ArrowUp' ? -1 : active + (key === 'ArrowDown' ? 1 : -1));
    } else if (key === 'Enter') {
      const chosen = all[Math.max(active, 0)];
      if (!chosen || panel.hidden) return;
      event.preventDefault();
      open(false);
      location.href = chosen.href;
    } else if (key === 'Escape') {
      event.preventDefault();
      if (!panel.hidden && panel.innerHTML !== '') return open(false);
      input.value = '';
      show('', '');
    }
  });
  input.addEventListener('focus', () => open(true));
  panel.addEventListener('click', (event) => {
    if (event.target.closest('a')) open(false);
  });
  document.addEventListener('click', (event) => {
    if (!box.contains(event.target)) open(false);
  });
  if (input.value.trim()) run();
}
