"""Writers for the raw SCUT-CTW1500 label formats (shared/spec/ctw1500.md §1):
train labels = one XML per image (<box> attributes, <label>, <segs>, <pts>),
test labels = one '000<stem>.txt' per image, 28 ints + ',####' + text."""
from xml.sax.saxutils import escape, quoteattr


def xml_label(image_name, instances):
    out = ['<Annotations>', f'  <image file={quoteattr(image_name)}>']
    for poly, text in instances:
        xs, ys = poly[:, 0], poly[:, 1]
        left, top = int(xs.min()), int(ys.min())
        width, height = int(xs.max()) - left, int(ys.max()) - top
        segs = ','.join(str(int(v)) for v in poly.reshape(-1))
        out.append(f'    <box height="{height}" left="{left}" top="{top}" '
                   f'width="{width}">')
        out.append(f'      <label>{escape(text)}</label>')
        out.append(f'      <segs>{segs}</segs>')
        # one point per polygon column pair, like the per-character <pts>
        for k in range(1, 6):
            cx = (int(poly[k, 0]) + int(poly[13 - k, 0])) // 2
            cy = (int(poly[k, 1]) + int(poly[13 - k, 1])) // 2
            out.append(f'      <pts x="{cx}" y="{cy}" />')
        out.append('    </box>')
    out += ['  </image>', '</Annotations>', '']
    return '\n'.join(out)


def txt_label(instances):
    lines = []
    for poly, text in instances:
        assert ',' not in text and text
        lines.append(','.join(str(int(v)) for v in poly.reshape(-1)) +
                     ',####' + text)
    return '\n'.join(lines) + ('\n' if lines else '')
