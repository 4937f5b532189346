import Foundation
import Hummingbird

/// What a route reads from a request's body: JSON for the API, form fields for the pages that work
/// without JavaScript.
extension Request {
    /// Decodes a JSON body, answering 400 with `example` when it does not fit.
    ///
    /// ```swift
    /// let body = try await request.decodeJSON(SeekBody.self, context: context, example: "{\"seconds\": 30}")
    /// ```
    func decodeJSON<T: Decodable>(
        _ type: T.Type, context: RaveboxRequestContext, example: String
    ) async throws -> T {
        do {
            return try await decode(as: type, context: context)
        } catch let error as any HTTPResponseError where error.status == .contentTooLarge {
            throw APIError(.contentTooLarge, "That request is too large.")
        } catch {
            throw APIError(.badRequest, "Send JSON like \(example).")
        }
    }

    /// Largest form body read (forms hold a password or a few settings).
    static let maxFormSize = 4096

    /// The fields of an `application/x-www-form-urlencoded` body; 413 when it is larger than ``maxFormSize``.
    func formFields() async throws -> [String: String] {
        let body: ByteBuffer
        do {
            body = try await self.body.collect(upTo: Self.maxFormSize)
        } catch {
            throw APIError(.contentTooLarge, "A form can have at most \(Self.maxFormSize / 1024) KiB.")
        }
        let form = String(buffer: body).replacingOccurrences(of: "+", with: " ")
        var fields: [String: String] = [:]
        for item in URLComponents(string: "?" + form)?.queryItems ?? [] { fields[item.name] = item.value ?? "" }
        return fields
    }
}
