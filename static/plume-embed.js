// <plume-viewer>: Plume as a widget in any page; its attributes, `data` and events are in
// docs/EMBEDDING.md. A Plume page in an iframe in a shadow root (styles stay apart, each widget
// runs its own engine), spoken to with the frame protocol: PING until PONG, then instructions.

const base = new URL('./', import.meta.url);

class PlumeViewer extends HTMLElement {
  static observedAttributes = ['src', 'trace-id', 'span-id', 'theme', 'title'];

  #frame = null;
  #ready = false;
  #waiting = [];
  #ping = 0;
  #heard = (event) => this.#hear(event);
  #data = undefined;

  constructor() {
    super();
    const style = document.createElement('style');
    style.textContent = ':host { display: block; height: 480px; } '
      + 'iframe { display: block; width: 100%; height: 100%; border: 0; }';
    this.attachShadow({ mode: 'open' }).append(style);
  }

  connectedCallback() {
    if (this.#frame) return;
    const url = new URL('index.html', base);
    url.search = ['embed', `origins=${encodeURIComponent(location.origin)}`,
      ...['compact', 'persist', 'drop', 'delete', 'send'].filter((flag) => this.hasAttribute(flag))].join('&');
    this.#frame = document.createElement('iframe');
    this.#frame.title = this.getAttribute('title') ?? 'Plume trace viewer';
    this.#frame.src = url.href;
    this.shadowRoot.append(this.#frame);
    window.addEventListener('message', this.#heard);
    this.#ping = setInterval(() => this.#frame?.contentWindow?.postMessage('PING', base.origin), 100);
    this.#send(this.#attributes());
    if (this.#data !== undefined) this.data = this.#data;
  }

  disconnectedCallback() {
    clearInterval(this.#ping);
    window.removeEventListener('message', this.#heard);
    this.#frame?.remove();
    this.#frame = null;
    this.#ready = false;
    this.#waiting = [];
  }

  attributeChangedCallback(name, old, value) {
    // Before it is connected, connecting sends them all.
    if (!this.#frame || old === value) return;
    if (name === 'src') this.#send(this.#attributes());
    else if (name === 'theme') this.#send({ theme: value ?? 'system' });
    else if (name === 'title') this.#send({ title: value ?? '' });
    else this.#send({ select: this.#selection() });
  }

  /** Trace data to show: an ArrayBuffer, a typed array, a string, or a parsed object. */
  set data(value) {
    this.#data = value;
    if (!this.#frame || value === undefined || value === null) return;
    const fileName = this.getAttribute('file-name') ?? undefined;
    const select = this.#selection();
    if (value instanceof ArrayBuffer || ArrayBuffer.isView(value)) {
      const bytes = value instanceof ArrayBuffer ? value : value.buffer.slice(value.byteOffset, value.byteOffset + value.byteLength);
      this.#send({ buffer: bytes, fileName, select });
    } else {
      const text = typeof value === 'string' ? value : JSON.stringify(value);
      this.#send({ text, fileName, select });
    }
  }

  get data() { return this.#data; }

  set src(value) { this.setAttribute('src', value); }

  get src() { return this.getAttribute('src') ?? ''; }

  #selection() {
    const traceId = this.getAttribute('trace-id');
    return traceId ? { traceId, spanId: this.getAttribute('span-id') ?? undefined } : undefined;
  }

  /** What the attributes ask of the frame; `src` is resolved against this page. */
  #attributes() {
    const message = { select: this.#selection() };
    const src = this.getAttribute('src');
    if (src) message.url = new URL(src, document.baseURI).href;
    for (const name of ['theme', 'title']) {
      if (this.hasAttribute(name)) message[name] = this.getAttribute(name);
    }
    return message;
  }

  #send(message) {
    if (this.#ready) this.#frame.contentWindow.postMessage({ plume: message }, base.origin);
    else this.#waiting.push(message);
  }

  #hear(event) {
    if (!this.#frame || event.source !== this.#frame.contentWindow || event.origin !== base.origin) return;
    if (event.data === 'PONG') {
      if (this.#ready) return;
      this.#ready = true;
      clearInterval(this.#ping);
      const waiting = this.#waiting;
      this.#waiting = [];
      waiting.forEach((message) => this.#send(message));
      this.dispatchEvent(new CustomEvent('plume-ready'));
      return;
    }
    const plume = event.data?.plume;
    if (plume?.loaded) this.dispatchEvent(new CustomEvent('plume-loaded', { detail: plume.loaded }));
    if (plume?.selected) this.dispatchEvent(new CustomEvent('plume-select', { detail: plume.selected }));
  }
}

if (!customElements.get('plume-viewer')) customElements.define('plume-viewer', PlumeViewer);
