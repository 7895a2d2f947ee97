//! What the window tells the user: at most one banner per topic (a newer message on a topic
//! replaces the older, so "Training cancelled." does not outlive a successful retrain), and a
//! history of everything said.

use std::time::Instant;

/// What a notice is about; one banner per topic is shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Topic {
    Data,
    Training,
    Model,
    Listening,
    Audio,
    Export,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Level {
    Info,
    Error,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Notice {
    pub topic: Topic,
    pub level: Level,
    pub text: String,
    pub at: Instant,
}

impl Notice {
    pub fn is_error(&self) -> bool {
        self.level == Level::Error
    }
}

/// Banners kept in the history, at most (oldest dropped first).
const HISTORY_LIMIT: usize = 200;

#[derive(Debug, Default)]
pub struct Notices {
    shown: Vec<Notice>,
    history: Vec<Notice>,
}

impl Notices {
    /// Says `text` about `topic`: it replaces the banner of that topic (the same text again
    /// changes nothing).
    pub fn post(&mut self, topic: Topic, level: Level, text: impl Into<String>) {
        let text = text.into();
        if self
            .shown
            .iter()
            .any(|n| n.topic == topic && n.text == text)
        {
            return;
        }
        self.shown.retain(|n| n.topic != topic);
        let notice = Notice {
            topic,
            level,
            text,
            at: Instant::now(),
        };
        self.history.push(notice.clone());
        if self.history.len() > HISTORY_LIMIT {
            self.history.remove(0);
        }
        self.shown.push(notice);
    }

    pub fn error(&mut self, topic: Topic, text: impl Into<String>) {
        self.post(topic, Level::Error, text);
    }

    pub fn info(&mut self, topic: Topic, text: impl Into<String>) {
        self.post(topic, Level::Info, text);
    }

    /// Drops the banner of `topic`: what it said no longer applies.
    pub fn clear(&mut self, topic: Topic) {
        self.shown.retain(|n| n.topic != topic);
    }

    pub fn dismiss(&mut self, index: usize) {
        if index < self.shown.len() {
            self.shown.remove(index);
        }
    }

    /// The banners on screen, oldest first.
    pub fn shown(&self) -> &[Notice] {
        &self.shown
    }

    /// Everything said, oldest first.
    pub fn history(&self) -> &[Notice] {
        &self.history
    }

    pub fn has_errors(&self) -> bool {
        self.shown.iter().any(Notice::is_error)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_topic_shows_its_latest_notice_and_history_keeps_all() {
        let mut n = Notices::default();
        n.info(Topic::Training, "Training cancelled.");
        n.error(Topic::Data, "Cannot load x");
        n.info(Topic::Training, "Trained a dsae.");
        n.info(Topic::Training, "Trained a dsae.");
        let shown: Vec<&str> = n.shown().iter().map(|n| n.text.as_str()).collect();
        assert_eq!(shown, ["Cannot load x", "Trained a dsae."]);
        assert_eq!(n.history().len(), 3);
        n.clear(Topic::Data);
        assert!(!n.has_errors());
    }
}
