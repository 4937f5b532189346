import Foundation
import RaveboxQR

/// The join screen: the Wi-Fi and party-page QR codes with their captions.
extension ScreenRenderer {
    func drawJoin(_ model: ScreenModel, _ canvas: inout Canvas) {
        if wifiCode.wifi != model.wifi {
            wifiCode = (
                model.wifi,
                model.wifi.flatMap { QRCode(text: QRCode.wifiPayload(name: $0.name, password: $0.password)) }
            )
        }
        if urlCode.url != model.url || (urlCode.code == nil && !model.url.isEmpty) {
            urlCode = (model.url, model.url.isEmpty ? nil : QRCode(text: model.url))
        }
        let titleBaseline = padding + medium.ascent
        let title = "Join the party".unicodeScalars
        let titleWidth = measure(title, medium)
        drawText(
            title, medium, x: (renderWidth - titleWidth) / 2, baseline: titleBaseline, maxWidth: titleWidth,
            Self.text, &canvas)
        let top = titleBaseline + medium.descent + padding
        let captionHeight = 2 * small.lineHeight + padding
        let panelHeight = renderHeight - top - captionHeight - padding
        let panels = wifiCode.code == nil ? 1 : 2
        let panelWidth = (renderWidth - padding * (panels + 1)) / panels
        var x = padding
        if let code = wifiCode.code, let wifi = model.wifi {
            let bottom = drawQR(code, x: x, y: top, width: panelWidth, height: panelHeight, &canvas)
            var baseline = bottom + padding + small.ascent
            caption(
                "Wi-Fi ".unicodeScalars, wifi.name.unicodeScalars, x: x, baseline: baseline, width: panelWidth, &canvas)
            if let password = wifi.password, !password.isEmpty {
                baseline += small.lineHeight
                caption(
                    "Password ".unicodeScalars, password.unicodeScalars, x: x, baseline: baseline, width: panelWidth,
                    &canvas)
            }
            x += panelWidth + padding
        }
        if let code = urlCode.code {
            let bottom = drawQR(code, x: x, y: top, width: panelWidth, height: panelHeight, &canvas)
            caption(
                "Open ".unicodeScalars, model.url.unicodeScalars, x: x, baseline: bottom + padding + small.ascent,
                width: panelWidth, &canvas)
        }
    }

    /// The first-run banner along the bottom: where to set the box up and its setup code.
    func drawSetupBanner(_ model: ScreenModel, _ canvas: inout Canvas) {
        let place = model.url.isEmpty ? "/setup" : (model.url.hasSuffix("/") ? model.url : model.url + "/") + "setup"
        drawBanner("Set up at \(place) with the code ", model.setupCode, &canvas)
    }

    /// A strip along the bottom over every layout: "label value".
    func drawBanner(_ label: String, _ value: String, _ canvas: inout Canvas) {
        canvas.clip = Canvas.Rect(x: 0, y: 0, width: renderWidth, height: renderHeight)
        let height = small.lineHeight + 2 * padding
        canvas.fill(Canvas.Rect(x: 0, y: renderHeight - height, width: renderWidth, height: height), Self.dark)
        caption(
            label.unicodeScalars, value.unicodeScalars, x: padding,
            baseline: renderHeight - padding - small.descent, width: renderWidth - 2 * padding, &canvas)
    }

    /// "Label value" centred in a panel, the label dimmer.
    func caption<Label: Collection<Unicode.Scalar>, Value: Collection<Unicode.Scalar>>(
        _ label: Label, _ value: Value, x: Int, baseline: Int, width: Int, _ canvas: inout Canvas
    ) {
        let labelWidth = measure(label, small)
        let valueWidth = min(measure(value, small), width - labelWidth)
        let start = x + max(0, (width - labelWidth - valueWidth) / 2)
        let end = drawText(
            label, small, x: start, baseline: baseline, maxWidth: labelWidth, Self.secondaryText, &canvas)
        drawText(value, small, x: end, baseline: baseline, maxWidth: x + width - end, Self.text, &canvas)
    }

    /// A QR code with its 4-module quiet zone, as large as whole pixels per module allow, centred in the
    /// rectangle; returns the bottom edge.
    func drawQR(_ code: QRCode, x: Int, y: Int, width: Int, height: Int, _ canvas: inout Canvas) -> Int {
        let side = code.size + 8
        let module = max(1, min(width, height) / side)
        let pixels = side * module
        let left = x + (width - pixels) / 2
        canvas.fill(Canvas.Rect(x: left, y: y, width: pixels, height: pixels), Self.light)
        for row in 0..<code.size {
            for column in 0..<code.size where code.isDark(x: column, y: row) {
                canvas.fill(
                    Canvas.Rect(
                        x: left + (column + 4) * module, y: y + (row + 4) * module, width: module, height: module),
                    Self.dark)
            }
        }
        return y + pixels
    }
}
