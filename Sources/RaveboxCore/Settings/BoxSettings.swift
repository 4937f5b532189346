/// The party settings the admin changes at run time (`GET`/`PATCH /api/settings`), with their defaults.
///
/// ``SettingsSchema`` holds each setting's type, accepted range, group and description, validates patches
/// and converts to and from the settings table's strings; JSON uses the same camelCase keys. Process
/// configuration (port, music folders, ALSA device) is ``BoxConfiguration``, not a setting.
///
/// ## What is and is not here
///
/// Raveberry's settings (reference §5) that apply to a box playing a local library are here, renamed to
/// camelCase. Left out, and why:
/// - Spotify and SoundCloud switches and credentials (Spotify needs Premium and a Mopidy or a phone as
///   player; SoundCloud's client is broken upstream), suggestion counts, `online_suggestions`,
///   `additional_keywords` and `backup_stream` (a web radio URL): an offline box's autoplay fills an empty
///   queue instead. YouTube (through yt-dlp) and Jamendo are here, used only while the box has an uplink.
/// - `ip_checking`: replaced by ``oneVotePerDevice``, on by default (Raveberry's was off).
/// - `logging_enabled`: the request and play logs are inputs of the rules (`newMusicOnly`, song cooldown,
///   fairness, active guests and party mode, the admin's playlist export), not a record kept for its own
///   sake; turning them off would silently switch those rules off (Raveberry's cooldown stopped working
///   so), so the box always keeps them.
/// - `privileged_stream`: the box plays through its own speakers; there is no browser stream to restrict.
/// - `color_offset`, `next_color_index`: the store's bookkeeping for ``GuestColor``, not choices an
///   admin makes.
/// - `shuffle`, `repeat`, `autoplay`, `paused`, `volume`: playback state (``PlaybackModes``), changed by
///   whoever has playback controls (`PUT /api/playback/modes`, guests too in `fullControl`), so they are
///   not admin-only settings.
/// - `output`, `feed_cava`: the ALSA device is process configuration; analysis reads the played samples.
/// - Lights and screen settings (`ups`, programs, brightness, WLED address, resolutions): they belong to
///   the lights and screen modules' own settings.
///
/// A database that still stores a setting no longer offered (`loggingEnabled`, `privilegedStream`) loads
/// as before: the store skips rows whose key the schema does not know before it reads the settings.
public struct BoxSettings: Sendable, Equatable, Codable {
    // MARK: Voting

    /// What guests may do and how the queue is ordered. Default `upAndDown` (Raveberry: full control): the
    /// box's Wi-Fi is open to whoever is near it, and full control lets any of them skip every song.
    public var interactivity: Interactivity = .upAndDown
    /// One vote per device (IP or MAC address) rather than per browser session; see ``Voter``.
    public var oneVotePerDevice = true
    /// Net downvotes at which a song goes (queued: removed; playing: skipped). See ``KickThreshold``.
    public var downvotesToKick = 2
    /// Share of active guests (0...1) whose downvotes kick a song; 0 = off. See ``KickThreshold``.
    public var downvoteShareToKick = 0.0
    /// Whether equal-vote songs take turns between requesters.
    public var fairness: Fairness = .off
    /// Who sees which guest voted how.
    public var colorIndication: ColorIndication = .nobody
    public var votesPerWindow = VoteRateLimit.standard.limit
    public var voteWindow = VoteRateLimit.standard.window

    // MARK: Requests

    /// Most songs in the queue at once; 0 = no limit.
    public var maxQueueLength = 0
    /// Most songs one guest may have waiting in the queue at once; 0 = no limit. Mods and admins are exempt.
    public var maxSongsPerGuest = 0
    /// Most songs queued from one folder or playlist request.
    public var maxPlaylistItems = 10
    /// New requests go to the top of the queue (a multi-song request keeps its own order there).
    public var enqueueFirst = false
    /// Refuse songs that were requested before at this box.
    public var newMusicOnly = false
    /// Hours after a song played before it may be requested again; 0 = off.
    public var songCooldown = 0.0
    /// Words, separated by commas or whitespace, that a requested song's title or artist may not contain
    /// (whole words, case-insensitive, literal). See ``ForbiddenKeywords``.
    public var forbiddenKeywords = ""
    /// How many library matches the search box suggests.
    public var numberOfSuggestions = 20

    // MARK: Party

    /// Active guests needed for party mode. See ``ActiveGuests/isPartyMode(activeGuests:peopleToParty:)``.
    public var peopleToParty = 3
    /// In party mode, the chance (0...1) that the alarm plays after a song.
    public var alarmProbability = 0.0
    /// Seconds between two alarms from the buzzer or the alarm button.
    public var buzzerCooldown = 1.0
    /// Chance (0...1) that the buzzer plays the "yes" sound rather than "no"; negative = the plain alarm.
    public var buzzerSuccessProbability = -1.0
    /// Guests' new hashtags show at once (otherwise the admin activates them).
    public var hashtagsActive = true
    /// What every LED output switches to while the party is big enough; `none` keeps each output's program.
    public var partyLightProgram: PartyLightProgram = .none
    /// What the box's screen shows.
    public var screenProgram: ScreenProgram = .nowPlaying
    /// Frames per second the screen is drawn at.
    public var screenFramesPerSecond = 30

    // MARK: Sound

    public var loudnessNormalization = true
    public var loudnessTarget = -18.0
    public var crossfade = 0.0

    // MARK: Music sources

    /// Who may upload song files from the party page.
    public var uploads: UploadPermission = .off
    /// Largest upload, in MB.
    public var uploadMaxSize = 50
    /// Most uploads per guest.
    public var uploadsPerGuest = 3
    /// Most space uploads may take together, in MB.
    public var uploadQuota = 2_000
    /// Request songs from YouTube (through `yt-dlp`) while the box is online.
    public var youtubeEnabled = false
    /// Request songs from Jamendo while the box is online (needs ``jamendoClientID``).
    public var jamendoEnabled = false
    /// Jamendo API client id (free at devportal.jamendo.com).
    public var jamendoClientID = ""
    /// `host:port` whose TCP answer means the box is online; `localhost` = always, empty = never.
    public var connectivityHost = "1.1.1.1:443"
    /// Largest online song downloaded, in MB; 0 = no limit.
    public var maxDownloadSize = 50
    /// Space the cache of downloaded songs may take, in MB; the least recently played go first.
    public var downloadCacheSize = 2_000

    // MARK: Network

    public var captivePortal: CaptivePortalMode = .popup
    /// Mods log in with a one-time code shown on the box's screen.
    public var modScreenCodes = false

    /// The vote rate limit these settings ask for.
    public var voteRateLimit: VoteRateLimit { VoteRateLimit(limit: votesPerWindow, window: voteWindow) }

    /// The defaults.
    public init() {}

    // MARK: Schema-driven conversions

    /// Every setting's value by key.
    public var values: [String: SettingValue] {
        var values: [String: SettingValue] = [:]
        for descriptor in SettingsSchema.descriptors {
            values[descriptor.key] = descriptor.value(in: self)
        }
        return values
    }

    /// Every setting as the settings table stores it: key → ``SettingValue/storedString``.
    /// ``init(storedStrings:)`` reads it back exactly.
    public var storedStrings: [String: String] { values.mapValues(\.storedString) }

    /// Reads the settings table strictly: every value must parse and fit its setting; missing keys keep
    /// their defaults.
    ///
    /// - Throws: ``RuleError/badRequest(_:)`` naming the first (alphabetically) unknown key or bad value.
    public init(storedStrings: [String: String]) throws(RuleError) {
        var patch: [String: SettingValue] = [:]
        for (key, text) in storedStrings {
            guard let descriptor = SettingsSchema.descriptor(for: key) else {
                throw SettingsSchema.unknown(key)
            }
            patch[key] = descriptor.kind.parse(stored: text) ?? .string(text)
        }
        self = try SettingsSchema.apply(patch, to: BoxSettings())
    }

    /// Reads the settings table leniently, for boot: a key from another version or a value that no longer
    /// fits keeps the default, and each such row is reported (for one log line each) instead of keeping
    /// the box from starting.
    public static func recovering(storedStrings: [String: String]) -> (settings: BoxSettings, problems: [RuleError]) {
        var settings = BoxSettings()
        var problems: [RuleError] = []
        for key in storedStrings.keys.sorted() {
            do throws(RuleError) {
                guard let descriptor = SettingsSchema.descriptor(for: key), let text = storedStrings[key] else {
                    throw SettingsSchema.unknown(key)
                }
                let value = try descriptor.validate(descriptor.kind.parse(stored: text) ?? .string(text))
                descriptor.assign(value, to: &settings)
            } catch {
                problems.append(error)
            }
        }
        return (settings, problems)
    }

    /// Decodes a JSON object of settings; missing keys keep their defaults, unknown keys and bad values
    /// are errors (as in a patch).
    public init(from decoder: any Decoder) throws {
        let patch = try [String: SettingValue](from: decoder)
        do {
            self = try SettingsSchema.apply(patch, to: BoxSettings())
        } catch {
            throw DecodingError.dataCorrupted(
                DecodingError.Context(codingPath: decoder.codingPath, debugDescription: error.message))
        }
    }

    /// Encodes every setting under its camelCase key.
    public func encode(to encoder: any Encoder) throws {
        try values.encode(to: encoder)
    }
}
