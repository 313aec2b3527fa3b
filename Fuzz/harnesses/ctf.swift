import Foundation
import GapTrackDomain

// libFuzzer harness for the Common Transfer File reader (Sources/CommonTransferFile), compiled
// with it by Fuzz/run.sh. Whatever the bytes, the reader must not crash, and:
//  - it gives the same answer when asked twice (no hidden state between files);
//  - a file with a document type declaration is never accepted (entities are how XML files
//    attack their readers: docs/import-formats.md, "Common Transfer File");
//  - an accepted document holds only pupils at paths under CTfile/CTFpupilData, each UPN valid
//    and given once, no pupil's FSM spell ending before it starts, and KS2 scores on the scale;
//  - every problem it reports names a path under CTfile, so a data lead can find it.

func check(_ condition: Bool, _ message: @autoclosure () -> String) {
    if !condition {
        FileHandle.standardError.write(Data(("invariant broken: " + message() + "\n").utf8))
        abort()
    }
}

enum Outcome: Equatable {
    case accepted([CTFPupil], undefined: [String], resultsNotRead: Int)
    case refused(CTFError)
}

func outcome(_ data: Data) -> Outcome {
    do {
        let document = try CTFReader.read(data, limits: CTFLimits(maximumBytes: 1 << 20, maximumDepth: 32))
        return .accepted(document.pupils, undefined: document.undefinedElements, resultsNotRead: document.resultsNotRead)
    } catch {
        return .refused(error)
    }
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ start: UnsafeRawPointer, _ count: Int) -> CInt {
    let data = Data(bytes: start, count: count)
    let first = outcome(data)
    check(first == outcome(data), "two readings of one file differ")
    switch first {
    case .accepted(let pupils, _, _):
        check(data.range(of: Data("<!DOCTYPE".utf8)) == nil, "a file with a document type declaration was accepted")
        check(Set(pupils.map(\.upn)).count == pupils.count, "a UPN was accepted twice")
        for pupil in pupils {
            check(pupil.path.hasPrefix("CTfile/CTFpupilData/Pupil["), "a pupil at \(pupil.path)")
            check((try? UPN(pupil.upn.value)) != nil, "an invalid UPN \(pupil.upn.value) was accepted")
            for spell in pupil.fsmSpells + pupil.senSpells {
                if let end = spell.end { check(end >= spell.start, "a spell ends before it starts at \(spell.path)") }
            }
            for year in pupil.attendance {
                check(year.sessionsAuthorised + year.sessionsUnauthorised <= year.sessionsPossible && year.sessionsAuthorised >= 0
                      && year.sessionsUnauthorised >= 0, "attendance totals that cannot be at \(year.path)")
            }
            for score in pupil.ks2Scores {
                check((80...120).contains(score.score), "a KS2 scaled score \(score.score) off the scale at \(score.path)")
            }
        }
    case .refused(.invalid(let problems)):
        check(!problems.isEmpty, "refused with no problem named")
        for problem in problems { check(problem.path.hasPrefix("CTfile"), "a problem at \(problem.path)") }
    case .refused:
        break
    }
    return 0
}
