import { renderToStaticMarkup } from "react-dom/server";
import { describe, expect, it } from "vitest";
import { Markdown } from "./markdown";

const html = (text: string) => renderToStaticMarkup(<Markdown text={text} />);

describe("assistant Markdown", () => {
  it("renders GFM tables, lists and highlighted code with a Copy button", () => {
    const out = html("| a | b |\n|---|---|\n| 1 | 2 |\n\n- one\n- two\n\n```js\nconst x = 1;\n```");
    expect(out).toContain("<table>");
    expect(out).toContain("<li>one</li>");
    expect(out).toMatch(/<code class="hljs language-js">.*hljs-keyword/s);
    expect(out).toContain(">Copy</button>");
  });

  it("never renders raw HTML or script links from model output", () => {
    const tags = html('<script>alert(1)</script><img src=x onerror="alert(2)"> <a href="javascript:alert(4)">x</a>');
    expect(tags).not.toMatch(/<script|<img|<a /i);
    expect(tags).toContain("&lt;script&gt;"); // shown as text, inert
    const link = html("Click [here](javascript:alert(3)) now");
    expect(link).toContain("<a ");
    expect(link).not.toContain("javascript:");
  });

  it("opens links in a new tab without handing over the page", () => {
    expect(html("[docs](https://example.com)")).toContain('href="https://example.com" target="_blank" rel="noopener noreferrer nofollow"');
  });
});
