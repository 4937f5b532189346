/// Every party setting described: key, type, default, accepted values, group and a one-line description;
/// and the validation of patches against it.
///
/// ```swift
/// let patch: [String: SettingValue] = ["downvotesToKick": 3, "interactivity": "upvotesOnly"]
/// settings = try SettingsSchema.apply(patch, to: settings)  // or 400 with "downvotesToKick must be ..."
/// ```
///
/// The order of ``descriptors`` is the order of the admin's settings page.
public enum SettingsSchema {
    /// All settings, grouped, in page order.
    public static let descriptors: [SettingDescriptor] = [
        // Voting
        .choice(
            "interactivity", \.interactivity, .voting,
            "What guests may do: full control, vote up and down, vote up only, or only request and watch."),
        .bool(
            "oneVotePerDevice", \.oneVotePerDevice, .voting,
            "One vote per phone (IP or MAC address) instead of per browser session; turn off behind a proxy."),
        .integer(
            "downvotesToKick", \.downvotesToKick, 1...100, .voting,
            "Net downvotes at which a queued song leaves the queue and the playing song is skipped."),
        .number(
            "downvoteShareToKick", \.downvoteShareToKick, 0...1, .voting,
            "For big parties: share of active guests (0.3 = 30 %) whose downvotes kick a song; 0 = off."),
        .choice(
            "fairness", \.fairness, .voting,
            "Among songs with equal votes, the guest with the fewest songs played in the last hour goes first."),
        .choice(
            "colorIndication", \.colorIndication, .voting,
            "Who sees which guest voted how, as coloured thumbs."),
        .integer(
            "votesPerWindow", \.votesPerWindow, 1...100, .voting,
            "Most votes one guest may cast within the vote window; more are refused with a wait time."),
        .number(
            "voteWindow", \.voteWindow, 1...600, .voting,
            "Seconds over which votesPerWindow is counted."),
        // Requests
        .integer(
            "maxQueueLength", \.maxQueueLength, 0...1000, .requests,
            "Most songs in the queue at once; 0 = no limit."),
        .integer(
            "maxSongsPerGuest", \.maxSongsPerGuest, 0...100, .requests,
            "Most songs one guest may have waiting at once; 0 = no limit. Mods and admins are exempt."),
        .integer(
            "maxPlaylistItems", \.maxPlaylistItems, 1...1000, .requests,
            "Most songs queued from one folder or playlist request."),
        .bool(
            "enqueueFirst", \.enqueueFirst, .requests,
            "New requests go to the top of the queue instead of the end."),
        .bool(
            "newMusicOnly", \.newMusicOnly, .requests,
            "Refuse songs that have been requested before at this box."),
        .number(
            "songCooldown", \.songCooldown, 0...168, .requests,
            "Hours after a song played before it may be requested again; 0 = off."),
        .text(
            "forbiddenKeywords", \.forbiddenKeywords, maxLength: 1000, .requests,
            "Words, separated by commas or spaces, that may not appear in a requested song's title or artist."),
        .integer(
            "numberOfSuggestions", \.numberOfSuggestions, 1...100, .requests,
            "How many library matches the search box suggests."),
        // Party
        .integer(
            "peopleToParty", \.peopleToParty, 1...1000, .party,
            "Active guests needed for party mode (colourful logo, random alarms)."),
        .number(
            "alarmProbability", \.alarmProbability, 0...1, .party,
            "In party mode, the chance (0 to 1) that the alarm plays after a song."),
        .number(
            "buzzerCooldown", \.buzzerCooldown, 0...3600, .party,
            "Seconds between two alarms from the buzzer or the alarm button."),
        .number(
            "buzzerSuccessProbability", \.buzzerSuccessProbability, -1...1, .party,
            "Chance (0 to 1) that the buzzer plays the \"yes\" sound, else \"no\"; negative = the plain alarm."),
        .bool(
            "hashtagsActive", \.hashtagsActive, .party,
            "Guests' new hashtags show at once; otherwise the admin activates them."),
        .choice(
            "partyLightProgram", \.partyLightProgram, .party,
            "What the LEDs switch to in party mode; none keeps each output's program. Strobe flashes fast: warn guests."
        ),
        .choice(
            "screenProgram", \.screenProgram, .party,
            "What the box's screen shows: spectrum bars, a circle, a pulse, the song and queue, or the join codes."),
        .integer(
            "screenFramesPerSecond", \.screenFramesPerSecond, 1...60, .party,
            "Frames per second of the box's screen; lower spares the CPU of small boxes."),
        // Sound
        .bool(
            "loudnessNormalization", \.loudnessNormalization, .sound,
            "Play every song at the same loudness (EBU R128, measured once per song), never clipping."),
        .number(
            "loudnessTarget", \.loudnessTarget, -30 ... -10, .sound,
            "Loudness songs are brought to, in LUFS; −18 leaves headroom, −14 is as loud as streaming services."),
        .number(
            "crossfade", \.crossfade, 0...12, .sound,
            "Seconds over which a song fades into the next; 0 plays them back to back without a gap."),
        // Music sources
        .choice(
            "uploads", \.uploads, .sources,
            "Who may upload song files from their phone: off, mod (mods and the admin) or everybody."),
        .integer("uploadMaxSize", \.uploadMaxSize, 1...500, .sources, "Largest upload, in MB."),
        .integer("uploadsPerGuest", \.uploadsPerGuest, 1...100, .sources, "Most uploads per guest."),
        .integer(
            "uploadQuota", \.uploadQuota, 10...1_000_000, .sources,
            "Most space all uploads may take together, in MB; further uploads are refused."),
        .bool(
            "youtubeEnabled", \.youtubeEnabled, .sources,
            "While the box is online, requests that the library cannot answer are searched on YouTube (yt-dlp)."),
        .bool(
            "jamendoEnabled", \.jamendoEnabled, .sources,
            "While the box is online, requests may come from Jamendo's free music (needs the client id)."),
        .text(
            "jamendoClientID", \.jamendoClientID, maxLength: 64, .sources,
            "Jamendo API client id, free at devportal.jamendo.com."),
        .text(
            "connectivityHost", \.connectivityHost, maxLength: 255, .sources,
            "host:port the box connects to to tell whether it is online; localhost = always, empty = never."),
        .integer(
            "maxDownloadSize", \.maxDownloadSize, 0...2_000, .sources,
            "Largest online song the box downloads, in MB; 0 = no limit."),
        .integer(
            "downloadCacheSize", \.downloadCacheSize, 10...1_000_000, .sources,
            "Space downloaded songs may take, in MB; the least recently played are deleted first."),
        // Network
        .choice(
            "captivePortal", \.captivePortal, .network,
            "popup: joining the Wi-Fi opens the party page by itself; quiet: phones stay online without a pop-up."),
        .bool(
            "modScreenCodes", \.modScreenCodes, .network,
            "Mods may log in with a one-time code from the box's screen, so no password crosses the Wi-Fi."),
    ]

    private static let byKey: [String: SettingDescriptor] = Dictionary(
        uniqueKeysWithValues: descriptors.map { ($0.key, $0) })

    /// The setting called `key`, or `nil`.
    public static func descriptor(for key: String) -> SettingDescriptor? { byKey[key] }

    /// Checks a patch: every key must name a setting and every value must fit it.
    ///
    /// - Returns: the patch in canonical form (`3.0` for an integer setting becomes `3`).
    /// - Throws: ``RuleError/badRequest(_:)`` for the first offending key in alphabetical order, naming
    ///   the setting and what it accepts, or the unknown key.
    public static func validate(_ patch: [String: SettingValue]) throws(RuleError) -> [String: SettingValue] {
        var result: [String: SettingValue] = [:]
        for key in patch.keys.sorted() {
            guard let descriptor = byKey[key], let value = patch[key] else { throw unknown(key) }
            result[key] = try descriptor.validate(value)
        }
        return result
    }

    /// Applies a patch after validating all of it: either every value is taken or none.
    public static func apply(
        _ patch: [String: SettingValue], to settings: BoxSettings
    ) throws(RuleError)
        -> BoxSettings
    {
        var result = settings
        for (key, value) in try validate(patch) {
            byKey[key]?.assign(value, to: &result)
        }
        return result
    }

    static func unknown(_ key: String) -> RuleError {
        .badRequest("There is no setting called \"\(key)\".")
    }
}
