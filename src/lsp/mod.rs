//! The language server behind `bud lsp` (lsp-server, the synchronous library
//! rust-analyzer is built on), over whatever reader and writer its caller hands over,
//! and reading a decision's other files through the caller's `Files`: the library
//! itself opens nothing. Each open decision is checked again whenever it changes,
//! exactly as `bud check` checks it, and the editor's questions are answered from that
//! one check (`crate::ide`): diagnostics with their related spans (rounding and other
//! notes as hints, which editors do not count as problems), a quick fix for each
//! correction a diagnostic carries, hovers, inlay hints, definitions and references,
//! the outline, completion, semantic tokens and formatting. Edits that
//! arrive together are applied together and checked once, so a burst of keystrokes
//! costs one check. No client can stop it: a message it cannot read, a request before
//! `initialize` or an ill-typed one gets an error answer, and the server goes on.

mod position;
mod transport;

use std::collections::{HashMap, VecDeque};
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use lsp_server::{Connection, ExtractError, Message, Notification, Request, RequestId, Response};
use lsp_types::notification::{
    DidChangeTextDocument, DidCloseTextDocument, DidOpenTextDocument, Exit, LogMessage,
    Notification as _, PublishDiagnostics,
};
use lsp_types::request::{
    CodeActionRequest, Completion, DocumentSymbolRequest, Formatting, GotoDefinition, HoverRequest,
    InlayHintRequest, References, Request as _, SemanticTokensFullRequest,
    SemanticTokensRangeRequest, Shutdown,
};
use lsp_types::{
    CodeAction, CodeActionKind, CodeActionOptions, CodeActionOrCommand,
    CodeActionProviderCapability, CompletionItem, CompletionItemKind, CompletionOptions,
    DiagnosticRelatedInformation, DiagnosticSeverity, DocumentSymbol, DocumentSymbolResponse,
    GotoDefinitionResponse, Hover, HoverContents, HoverProviderCapability, InitializeParams,
    InlayHint, InlayHintLabel, InlayHintTooltip, Location, LogMessageParams, MarkupContent,
    MarkupKind, MessageType, NumberOrString, OneOf, PositionEncodingKind, PublishDiagnosticsParams,
    SemanticToken, SemanticTokenModifier, SemanticTokenType, SemanticTokens,
    SemanticTokensFullOptions, SemanticTokensLegend, SemanticTokensOptions,
    SemanticTokensServerCapabilities, ServerCapabilities, SymbolKind,
    TextDocumentContentChangeEvent, TextDocumentSyncCapability, TextDocumentSyncKind, TextEdit,
    Uri, WorkspaceEdit,
};

use crate::diagnostic::{Diagnostic, Severity};
use crate::ide::{self, Analysis};
use crate::world::{Overlay, World};
use position::{Encoding, LineIndex};

/// Where the server reads the files a decision names that the editor does not hold
/// open: for the decision at a path, a world that reads paths relative to its folder.
/// `bud lsp` gives the disk, within the decision's project; a fuzz target, memory.
pub trait Files: Sync {
    fn world(&self, decision: &Path) -> Box<dyn World + '_>;
}

impl<F> Files for F
where
    F: Fn(&Path) -> Box<dyn World> + Sync,
{
    fn world(&self, decision: &Path) -> Box<dyn World + '_> {
        self(decision)
    }
}

/// The error code the protocol gives a request sent before `initialize`.
const SERVER_NOT_INITIALIZED: i32 = -32002;

/// Serves the editor on `input` and `output` until it says `exit` or goes away; true
/// when it said `shutdown` first, as the protocol asks of a clean exit.
pub fn serve(
    input: impl Read + Send + 'static,
    output: impl Write + Send + 'static,
    files: &dyn Files,
) -> Result<bool, String> {
    let transport = transport::Transport::new(input, output);
    let mut server = Server {
        connection: &transport.connection,
        files,
        encoding: Encoding::Utf16,
        initialized: false,
        documents: HashMap::new(),
    };
    let outcome = server.main_loop();
    // The loop ends without error only once the reader has stopped: at `exit` (it
    // reads no further) or when its input ended.
    transport.close(outcome.is_ok());
    outcome
}

/// UTF-8 positions when the editor offers them (no conversion), else UTF-16.
fn negotiated(params: &InitializeParams) -> Encoding {
    let offered = params
        .capabilities
        .general
        .as_ref()
        .and_then(|general| general.position_encodings.as_ref());
    if offered.is_some_and(|kinds| kinds.contains(&PositionEncodingKind::UTF8)) {
        Encoding::Utf8
    } else {
        Encoding::Utf16
    }
}

fn capabilities(encoding: Encoding) -> ServerCapabilities {
    ServerCapabilities {
        position_encoding: Some(match encoding {
            Encoding::Utf8 => PositionEncodingKind::UTF8,
            Encoding::Utf16 => PositionEncodingKind::UTF16,
        }),
        text_document_sync: Some(TextDocumentSyncCapability::Kind(
            TextDocumentSyncKind::INCREMENTAL,
        )),
        hover_provider: Some(HoverProviderCapability::Simple(true)),
        definition_provider: Some(OneOf::Left(true)),
        references_provider: Some(OneOf::Left(true)),
        document_symbol_provider: Some(OneOf::Left(true)),
        document_formatting_provider: Some(OneOf::Left(true)),
        inlay_hint_provider: Some(OneOf::Left(true)),
        completion_provider: Some(CompletionOptions {
            trigger_characters: Some(vec![".".to_owned(), "\"".to_owned()]),
            ..CompletionOptions::default()
        }),
        code_action_provider: Some(CodeActionProviderCapability::Options(CodeActionOptions {
            code_action_kinds: Some(vec![CodeActionKind::QUICKFIX]),
            ..CodeActionOptions::default()
        })),
        semantic_tokens_provider: Some(SemanticTokensServerCapabilities::SemanticTokensOptions(
            SemanticTokensOptions {
                legend: SemanticTokensLegend {
                    token_types: TOKEN_TYPES.iter().map(|(_, t)| t.clone()).collect(),
                    token_modifiers: vec![SemanticTokenModifier::DECLARATION],
                },
                range: Some(true),
                full: Some(SemanticTokensFullOptions::Bool(true)),
                ..SemanticTokensOptions::default()
            },
        )),
        ..ServerCapabilities::default()
    }
}

/// The legend of semantic tokens: each kind of `ide::Token` and the protocol's type it
/// is sent as, whose index in this list is the number the editor receives. A name the
/// check did not bind (`ide::TokenKind::Name`) is not sent: the protocol has no type
/// for it, and the editor's own grammar colours it.
const TOKEN_TYPES: [(ide::TokenKind, SemanticTokenType); 12] = [
    (ide::TokenKind::Keyword, SemanticTokenType::KEYWORD),
    (ide::TokenKind::Table, SemanticTokenType::CLASS),
    (ide::TokenKind::Section, SemanticTokenType::NAMESPACE),
    (ide::TokenKind::Row, SemanticTokenType::PROPERTY),
    (ide::TokenKind::Value, SemanticTokenType::VARIABLE),
    (ide::TokenKind::Function, SemanticTokenType::FUNCTION),
    (ide::TokenKind::Number, SemanticTokenType::NUMBER),
    (ide::TokenKind::Unit, SemanticTokenType::TYPE),
    (ide::TokenKind::Marker, SemanticTokenType::ENUM_MEMBER),
    (ide::TokenKind::String, SemanticTokenType::STRING),
    (ide::TokenKind::Comment, SemanticTokenType::COMMENT),
    (ide::TokenKind::Operator, SemanticTokenType::OPERATOR),
];

/// An open decision: its text as the editor has it, and the check of that text.
struct Document {
    text: String,
    version: i32,
    analysis: Analysis,
}

struct Server<'a> {
    connection: &'a Connection,
    files: &'a dyn Files,
    encoding: Encoding,
    /// Whether `initialize` has been answered: until then, requests are refused.
    initialized: bool,
    documents: HashMap<Uri, Document>,
}

impl Server<'_> {
    fn main_loop(&mut self) -> Result<bool, String> {
        // Messages taken off the channel early, kept in the order they came.
        let mut pending: VecDeque<Message> = VecDeque::new();
        let mut shut_down = false;
        loop {
            let message = match pending.pop_front() {
                Some(message) => message,
                None => match self.connection.receiver.recv() {
                    Ok(message) => message,
                    Err(_) => return Ok(shut_down),
                },
            };
            match message {
                Message::Request(request) if request.method == Shutdown::METHOD => {
                    // Some editors say it twice (Neovim 0.7 does): answer each time,
                    // and leave at `exit`.
                    shut_down = true;
                    self.send(Message::Response(Response::new_ok(request.id, ())))?;
                }
                Message::Request(request) if request.method == "initialize" => {
                    let response = self.initialize(request);
                    self.send(Message::Response(response))?;
                }
                Message::Request(request) if !self.initialized => {
                    let refused = Response::new_err(
                        request.id,
                        SERVER_NOT_INITIALIZED,
                        format!(
                            "bud lsp is not initialized: send initialize before {}",
                            request.method
                        ),
                    );
                    self.send(Message::Response(refused))?;
                }
                Message::Request(request) if shut_down => {
                    let refused = Response::new_err(
                        request.id,
                        lsp_server::ErrorCode::InvalidRequest as i32,
                        "bud lsp is shutting down".to_owned(),
                    );
                    self.send(Message::Response(refused))?;
                }
                Message::Request(request) => {
                    let response = self.answer(request);
                    self.send(Message::Response(response))?;
                }
                Message::Notification(notification) if notification.method == Exit::METHOD => {
                    return Ok(shut_down);
                }
                // Before `initialize`, the protocol drops every notification but `exit`.
                Message::Notification(_) if !self.initialized => {}
                Message::Notification(notification) => {
                    let mut changed = Vec::new();
                    let mut touched = self.notice(notification, &mut changed)?;
                    // Edits already waiting are applied before checking once; a request
                    // waits for its answer until they are checked, and what follows it
                    // stays behind it, in order.
                    while pending.is_empty() {
                        match self.connection.receiver.try_recv() {
                            Ok(Message::Notification(next)) if next.method != Exit::METHOD => {
                                touched |= self.notice(next, &mut changed)?;
                            }
                            Ok(other) => pending.push_back(other),
                            Err(_) => break,
                        }
                    }
                    if !touched {
                        continue;
                    }
                    // Another open decision may import a changed one (`import "…" as
                    // cop`): every open document is checked again, the changed first.
                    let others: Vec<Uri> = self
                        .documents
                        .keys()
                        .filter(|uri| !changed.contains(uri))
                        .cloned()
                        .collect();
                    for uri in changed.iter().chain(&others) {
                        self.recheck(uri)?;
                    }
                }
                Message::Response(_) => {}
            }
        }
    }

    fn send(&self, message: Message) -> Result<(), String> {
        self.connection
            .sender
            .send(message)
            .map_err(|e| e.to_string())
    }

    /// The answer to `initialize`: the capabilities, in the position encoding agreed.
    /// An ill-typed one is refused, and the editor may try again.
    fn initialize(&mut self, request: Request) -> Response {
        if self.initialized {
            return Response::new_err(
                request.id,
                lsp_server::ErrorCode::InvalidRequest as i32,
                "bud lsp is already initialized".to_owned(),
            );
        }
        let params = match serde_json::from_value::<InitializeParams>(request.params) {
            Ok(params) => params,
            Err(error) => {
                return Response::new_err(
                    request.id,
                    lsp_server::ErrorCode::InvalidParams as i32,
                    format!("initialize's parameters are not the protocol's: {error}"),
                );
            }
        };
        self.encoding = negotiated(&params);
        self.initialized = true;
        let result = serde_json::json!({
            "capabilities": capabilities(self.encoding),
            "serverInfo": { "name": "bud", "version": env!("CARGO_PKG_VERSION") },
        });
        Response::new_ok(request.id, result)
    }

    /// A notification the server cannot read is logged in the editor, not dropped
    /// in silence.
    fn log(&self, message: String) -> Result<(), String> {
        let params = LogMessageParams {
            typ: MessageType::WARNING,
            message,
        };
        let notification = Notification::new(LogMessage::METHOD.to_owned(), params);
        self.send(Message::Notification(notification))
    }

    /// Takes in one notification; true when it opened, changed or closed a document.
    fn notice(
        &mut self,
        notification: Notification,
        changed: &mut Vec<Uri>,
    ) -> Result<bool, String> {
        let taken = match notification.method.as_str() {
            DidOpenTextDocument::METHOD => parameters::<DidOpenTextDocument>(notification)
                .map(|params| self.opened(params, changed)),
            DidChangeTextDocument::METHOD => parameters::<DidChangeTextDocument>(notification)
                .map(|params| self.edited(params, changed)),
            DidCloseTextDocument::METHOD => parameters::<DidCloseTextDocument>(notification)
                .map(|params| self.closed(params, changed)),
            _ => return Ok(false),
        };
        match taken {
            Ok(done) => done.map(|()| true),
            Err(why) => self.log(why).map(|()| false),
        }
    }

    fn opened(
        &mut self,
        params: lsp_types::DidOpenTextDocumentParams,
        changed: &mut Vec<Uri>,
    ) -> Result<(), String> {
        let document = params.text_document;
        // Checked with the other changed documents, once they are all in.
        self.documents.insert(
            document.uri.clone(),
            Document {
                text: document.text,
                version: document.version,
                analysis: Analysis::default(),
            },
        );
        push_once(changed, document.uri);
        Ok(())
    }

    fn edited(
        &mut self,
        params: lsp_types::DidChangeTextDocumentParams,
        changed: &mut Vec<Uri>,
    ) -> Result<(), String> {
        let uri = params.text_document.uri;
        if let Some(document) = self.documents.get_mut(&uri) {
            for change in params.content_changes {
                apply(&mut document.text, change, self.encoding);
            }
            document.version = params.text_document.version;
            push_once(changed, uri);
        }
        Ok(())
    }

    fn closed(
        &mut self,
        params: lsp_types::DidCloseTextDocumentParams,
        changed: &mut Vec<Uri>,
    ) -> Result<(), String> {
        let uri = params.text_document.uri;
        self.documents.remove(&uri);
        changed.retain(|other| *other != uri);
        self.publish(PublishDiagnosticsParams::new(uri, Vec::new(), None))
    }

    /// The texts of the open documents, by path, as a check reads them.
    fn open_texts(&self) -> Vec<(PathBuf, Arc<str>)> {
        self.documents
            .iter()
            .filter_map(|(uri, document)| Some((file_path(uri)?, document.text.as_str().into())))
            .collect()
    }

    fn recheck(&mut self, uri: &Uri) -> Result<(), String> {
        let open = self.open_texts();
        let Some(document) = self.documents.get_mut(uri) else {
            return Ok(());
        };
        document.analysis = analyse(uri, &document.text, &open, self.files);
        let index = LineIndex::new(&document.text, self.encoding);
        let diagnostics = document
            .analysis
            .diagnostics()
            .map(|d| to_lsp(d, &document.analysis, &index, uri))
            .collect();
        let params =
            PublishDiagnosticsParams::new(uri.clone(), diagnostics, Some(document.version));
        self.publish(params)
    }

    fn publish(&self, params: PublishDiagnosticsParams) -> Result<(), String> {
        let notification = Notification::new(PublishDiagnostics::METHOD.to_owned(), params);
        self.send(Message::Notification(notification))
    }

    fn answer(&self, request: Request) -> Response {
        let id = request.id.clone();
        let result = match request.method.as_str() {
            HoverRequest::METHOD => self.hover(request),
            GotoDefinition::METHOD => self.definition(request),
            References::METHOD => self.references(request),
            DocumentSymbolRequest::METHOD => self.symbols(request),
            Completion::METHOD => self.completion(request),
            InlayHintRequest::METHOD => self.inlay_hints(request),
            Formatting::METHOD => self.formatting(request),
            CodeActionRequest::METHOD => self.code_actions(request),
            SemanticTokensFullRequest::METHOD => self.semantic_tokens(request),
            SemanticTokensRangeRequest::METHOD => self.semantic_tokens_in_range(request),
            _ => {
                return Response::new_err(
                    id,
                    lsp_server::ErrorCode::MethodNotFound as i32,
                    format!("bud lsp does not answer {}", request.method),
                );
            }
        };
        match result {
            Ok(value) => Response::new_ok(id, value),
            Err(problem) => {
                Response::new_err(id, lsp_server::ErrorCode::InvalidParams as i32, problem)
            }
        }
    }

    fn document(&self, uri: &Uri) -> Result<&Document, String> {
        self.documents
            .get(uri)
            .ok_or_else(|| format!("{} is not open", uri.as_str()))
    }

    fn hover(&self, request: Request) -> Result<serde_json::Value, String> {
        let params = request_parameters::<HoverRequest>(request)?;
        let place = params.text_document_position_params;
        let document = self.document(&place.text_document.uri)?;
        let index = LineIndex::new(&document.text, self.encoding);
        let offset = index.offset(place.position);
        let hover = document.analysis.hover(offset).map(|found| Hover {
            contents: HoverContents::Markup(MarkupContent {
                kind: MarkupKind::Markdown,
                value: found.text,
            }),
            range: Some(index.range(found.span)),
        });
        json(hover)
    }

    fn definition(&self, request: Request) -> Result<serde_json::Value, String> {
        let params = request_parameters::<GotoDefinition>(request)?;
        let place = params.text_document_position_params;
        let uri = place.text_document.uri;
        let document = self.document(&uri)?;
        let index = LineIndex::new(&document.text, self.encoding);
        let found = document
            .analysis
            .definition(index.offset(place.position))
            .map(|span| {
                GotoDefinitionResponse::Scalar(Location::new(uri.clone(), index.range(span)))
            });
        json(found)
    }

    fn references(&self, request: Request) -> Result<serde_json::Value, String> {
        let params = request_parameters::<References>(request)?;
        let place = params.text_document_position;
        let uri = place.text_document.uri;
        let document = self.document(&uri)?;
        let index = LineIndex::new(&document.text, self.encoding);
        let spans = document.analysis.references(
            index.offset(place.position),
            params.context.include_declaration,
        );
        let locations: Vec<Location> = spans
            .into_iter()
            .map(|span| Location::new(uri.clone(), index.range(span)))
            .collect();
        json(locations)
    }

    fn symbols(&self, request: Request) -> Result<serde_json::Value, String> {
        let params = request_parameters::<DocumentSymbolRequest>(request)?;
        let document = self.document(&params.text_document.uri)?;
        let index = LineIndex::new(&document.text, self.encoding);
        let symbols: Vec<DocumentSymbol> = document
            .analysis
            .symbols()
            .iter()
            .map(|symbol| to_symbol(symbol, &index))
            .collect();
        json(DocumentSymbolResponse::Nested(symbols))
    }

    fn completion(&self, request: Request) -> Result<serde_json::Value, String> {
        let params = request_parameters::<Completion>(request)?;
        let uri = params.text_document_position.text_document.uri;
        let document = self.document(&uri)?;
        let items: Vec<CompletionItem> = document
            .analysis
            .completions()
            .into_iter()
            .map(|completion| CompletionItem {
                kind: Some(match completion.kind {
                    ide::CompletionKind::Keyword => CompletionItemKind::KEYWORD,
                    ide::CompletionKind::Value => CompletionItemKind::VARIABLE,
                    ide::CompletionKind::Row => CompletionItemKind::FIELD,
                    ide::CompletionKind::Table => CompletionItemKind::STRUCT,
                    ide::CompletionKind::Unit => CompletionItemKind::UNIT,
                    ide::CompletionKind::Party => CompletionItemKind::VALUE,
                }),
                detail: Some(completion.detail),
                sort_text: Some(format!("{}{}", completion.kind.rank(), completion.label)),
                label: completion.label,
                ..CompletionItem::default()
            })
            .collect();
        json(items)
    }

    fn inlay_hints(&self, request: Request) -> Result<serde_json::Value, String> {
        let params = request_parameters::<InlayHintRequest>(request)?;
        let document = self.document(&params.text_document.uri)?;
        let index = LineIndex::new(&document.text, self.encoding);
        let (from, to) = (
            index.offset(params.range.start),
            index.offset(params.range.end),
        );
        let hints: Vec<InlayHint> = document
            .analysis
            .inlay_hints()
            .into_iter()
            .filter(|hint| from <= hint.offset && hint.offset <= to)
            .map(|hint| InlayHint {
                position: index.position(hint.offset),
                label: InlayHintLabel::String(hint.label),
                kind: None,
                text_edits: None,
                tooltip: Some(InlayHintTooltip::String(hint.tooltip)),
                padding_left: Some(false),
                padding_right: None,
                data: None,
            })
            .collect();
        json(hints)
    }

    /// A quick fix for each correction of a diagnostic at the range asked about: the
    /// edit, with the diagnostic it resolves.
    fn code_actions(&self, request: Request) -> Result<serde_json::Value, String> {
        let params = request_parameters::<CodeActionRequest>(request)?;
        let uri = params.text_document.uri;
        let document = self.document(&uri)?;
        let analysis = &document.analysis;
        let index = LineIndex::new(&document.text, self.encoding);
        let (from, to) = (
            index.offset(params.range.start),
            index.offset(params.range.end),
        );
        let touches = |span: crate::diagnostic::Span| span.start() <= to && from <= span.end();
        let mut actions = Vec::new();
        // A scenario repeats the decision's diagnostics about what it shares: one
        // action for each edit.
        let mut offered = std::collections::HashSet::new();
        for diagnostic in analysis.diagnostics() {
            // Only edits of this text: a data file's spans count that file's bytes.
            let corrections: Vec<_> = diagnostic
                .corrections()
                .iter()
                .filter(|c| diagnostic.file().is_none() && analysis.is_here(c.span))
                .collect();
            let at = diagnostic.primary.as_ref().map(|label| label.span);
            let asked = at.is_some_and(touches) || corrections.iter().any(|c| touches(c.span));
            if corrections.is_empty() || !asked {
                continue;
            }
            let shown = to_lsp(diagnostic, analysis, &index, &uri);
            for correction in &corrections {
                if !offered.insert((correction.span, correction.replacement.as_str())) {
                    continue;
                }
                let edit =
                    TextEdit::new(index.range(correction.span), correction.replacement.clone());
                actions.push(CodeActionOrCommand::CodeAction(CodeAction {
                    title: correction.title.clone(),
                    kind: Some(CodeActionKind::QUICKFIX),
                    diagnostics: Some(vec![shown.clone()]),
                    edit: Some(WorkspaceEdit::new(HashMap::from([(
                        uri.clone(),
                        vec![edit],
                    )]))),
                    is_preferred: Some(corrections.len() == 1),
                    ..CodeAction::default()
                }));
            }
        }
        json(actions)
    }

    fn semantic_tokens(&self, request: Request) -> Result<serde_json::Value, String> {
        let params = request_parameters::<SemanticTokensFullRequest>(request)?;
        let document = self.document(&params.text_document.uri)?;
        json(encoded_tokens(document, self.encoding, None))
    }

    fn semantic_tokens_in_range(&self, request: Request) -> Result<serde_json::Value, String> {
        let params = request_parameters::<SemanticTokensRangeRequest>(request)?;
        let document = self.document(&params.text_document.uri)?;
        json(encoded_tokens(document, self.encoding, Some(params.range)))
    }

    fn formatting(&self, request: Request) -> Result<serde_json::Value, String> {
        let params = request_parameters::<Formatting>(request)?;
        let document = self.document(&params.text_document.uri)?;
        // A file that does not parse is not formatted: its diagnostics say why.
        let Ok(formatted) = crate::syntax::formatter::format(&document.text) else {
            return json(None::<Vec<TextEdit>>);
        };
        if formatted == document.text {
            return json(Vec::<TextEdit>::new());
        }
        let index = LineIndex::new(&document.text, self.encoding);
        let whole = index.range(crate::diagnostic::Span::new(0, document.text.len()));
        json(vec![TextEdit::new(whole, formatted)])
    }
}

/// The tokens of a document (or of a range of it) as the protocol sends them: each
/// relative to the one before, in the session's position encoding.
fn encoded_tokens(
    document: &Document,
    encoding: Encoding,
    range: Option<lsp_types::Range>,
) -> SemanticTokens {
    let index = LineIndex::new(&document.text, encoding);
    let tokens = match range {
        Some(range) => document
            .analysis
            .tokens_between(index.offset(range.start), index.offset(range.end)),
        None => document.analysis.tokens(),
    };
    let mut data = Vec::new();
    let mut previous = lsp_types::Position::new(0, 0);
    for token in tokens {
        let Some(kind) = TOKEN_TYPES.iter().position(|(kind, _)| *kind == token.kind) else {
            continue;
        };
        let range = index.range(token.span);
        // Editors draw a token on one line: one that spans lines is not sent.
        if range.start.line != range.end.line {
            continue;
        }
        let delta_line = range.start.line.saturating_sub(previous.line);
        let delta_start = if delta_line == 0 {
            range.start.character.saturating_sub(previous.character)
        } else {
            range.start.character
        };
        data.push(SemanticToken {
            delta_line,
            delta_start,
            length: range.end.character.saturating_sub(range.start.character),
            token_type: u32::try_from(kind).unwrap_or(0),
            token_modifiers_bitset: u32::from(token.declaration),
        });
        previous = range.start;
    }
    SemanticTokens {
        result_id: None,
        data,
    }
}

fn push_once(changed: &mut Vec<Uri>, uri: Uri) {
    if !changed.contains(&uri) {
        changed.push(uri);
    }
}

fn json(value: impl serde::Serialize) -> Result<serde_json::Value, String> {
    serde_json::to_value(value).map_err(|e| e.to_string())
}

/// A notification's parameters, or what the editor's log should say of one that has
/// the wrong shape.
fn parameters<N>(notification: Notification) -> Result<N::Params, String>
where
    N: lsp_types::notification::Notification,
{
    notification
        .extract(N::METHOD)
        .map_err(|error: ExtractError<Notification>| {
            format!(
                "bud lsp ignored a {} notification it cannot read: {error:?}",
                N::METHOD
            )
        })
}

fn request_parameters<R>(request: Request) -> Result<R::Params, String>
where
    R: lsp_types::request::Request,
{
    request
        .extract::<R::Params>(R::METHOD)
        .map(|(_, params): (RequestId, R::Params)| params)
        .map_err(|e| format!("{e:?}"))
}

/// Applies one edit as the editor sent it: a range and its new text, or the whole text.
fn apply(text: &mut String, change: TextDocumentContentChangeEvent, encoding: Encoding) {
    match change.range {
        Some(range) => {
            let index = LineIndex::new(text, encoding);
            let start = index.offset(range.start);
            let end = index.offset(range.end).max(start);
            text.replace_range(start..end, &change.text);
        }
        None => *text = change.text,
    }
}

/// The decision checked, the files it names read beside it: from the editor where it
/// has them open (`open`: path and text), else from `files`.
fn analyse(uri: &Uri, text: &str, open: &[(PathBuf, Arc<str>)], files: &dyn Files) -> Analysis {
    let path = file_path(uri).unwrap_or_else(|| PathBuf::from("untitled.bud"));
    let directory = path.parent().map(PathBuf::from).unwrap_or_default();
    let main = crate::world::name_in_folder(&path);
    let disk = files.world(&path);
    let mut world = Overlay::new(main.clone(), text, &*disk);
    for (other, text) in open {
        if let Ok(relative) = other.strip_prefix(&directory) {
            let name = relative.to_string_lossy().replace('\\', "/");
            if name != main {
                world = world.and(name, text.clone());
            }
        }
    }
    Analysis::new(&world, &main)
}

/// `file:///home/x/bs-vi-7.bud` as a path; `None` for an unsaved buffer.
fn file_path(uri: &Uri) -> Option<PathBuf> {
    let text = uri.as_str().strip_prefix("file://")?;
    let bytes = text.as_bytes();
    let mut decoded = Vec::with_capacity(bytes.len());
    let mut at = 0;
    while at < bytes.len() {
        let hex = |b: u8| char::from(b).to_digit(16);
        match (bytes[at], bytes.get(at + 1), bytes.get(at + 2)) {
            (b'%', Some(high), Some(low)) if hex(*high).is_some() && hex(*low).is_some() => {
                let value = hex(*high).unwrap_or(0) * 16 + hex(*low).unwrap_or(0);
                decoded.push(u8::try_from(value).unwrap_or(b'?'));
                at += 3;
            }
            (byte, _, _) => {
                decoded.push(byte);
                at += 1;
            }
        }
    }
    String::from_utf8(decoded).ok().map(PathBuf::from)
}

/// A bud diagnostic as the editor shows it. One about a data or imported file sits
/// where the decision names that file; the message keeps the file's name.
fn to_lsp(
    diagnostic: &Diagnostic,
    analysis: &Analysis,
    index: &LineIndex<'_>,
    uri: &Uri,
) -> lsp_types::Diagnostic {
    let here =
        |span: crate::diagnostic::Span| diagnostic.file().is_none() && analysis.is_here(span);
    let mut message = diagnostic.message.clone();
    let primary = diagnostic.primary.as_ref().map(|label| label.span);
    let span = match primary {
        Some(span) if here(span) => span,
        // In an imported file: at the `import` line, the message saying where.
        Some(span) if diagnostic.file().is_none() => match analysis.imported_place(span.start()) {
            Some((name, line, column, import)) => {
                message = format!("{name}:{line}:{column}: {message}");
                import
            }
            None => crate::diagnostic::Span::new(0, 0),
        },
        // In a data file: where the decision names the file.
        _ => {
            let (at, _) = diagnostic.position();
            if let Some(file) = diagnostic.file().filter(|file| !message.contains(file)) {
                message = format!("{file}: {message}");
            }
            crate::diagnostic::Span::new(at, at)
        }
    };
    let related: Vec<DiagnosticRelatedInformation> = diagnostic
        .primary
        .iter()
        .chain(&diagnostic.secondary)
        .filter(|label| here(label.span) && !label.message.is_empty())
        .map(|label| DiagnosticRelatedInformation {
            location: Location::new(uri.clone(), index.range(label.span)),
            message: label.message.clone(),
        })
        .collect();
    if let Some(help) = &diagnostic.help {
        message.push_str("\nhelp: ");
        message.push_str(help);
    }
    lsp_types::Diagnostic {
        range: index.range(span),
        severity: Some(match diagnostic.severity {
            Severity::Error => DiagnosticSeverity::ERROR,
            Severity::Warning => DiagnosticSeverity::WARNING,
            // Rounding and residues are not problems: a hint, which editors show
            // without counting it among the file's problems.
            Severity::Note => DiagnosticSeverity::HINT,
        }),
        code: Some(NumberOrString::String(diagnostic.code.as_str().to_owned())),
        code_description: None,
        source: Some("bud".to_owned()),
        message,
        related_information: (!related.is_empty()).then_some(related),
        tags: None,
        data: None,
    }
}

fn to_symbol(symbol: &ide::Symbol, index: &LineIndex<'_>) -> DocumentSymbol {
    #[allow(deprecated)] // `deprecated` is a required field of the type
    DocumentSymbol {
        name: symbol.name.clone(),
        detail: symbol.detail.clone(),
        kind: match symbol.kind {
            ide::SymbolKind::Decision => SymbolKind::MODULE,
            ide::SymbolKind::Paragraph => SymbolKind::NAMESPACE,
            ide::SymbolKind::Value => SymbolKind::VARIABLE,
            ide::SymbolKind::Table | ide::SymbolKind::Scale => SymbolKind::STRUCT,
            ide::SymbolKind::Section => SymbolKind::NAMESPACE,
            ide::SymbolKind::Row => SymbolKind::FIELD,
            ide::SymbolKind::Group => SymbolKind::ENUM,
            ide::SymbolKind::Scenario => SymbolKind::EVENT,
        },
        tags: None,
        deprecated: None,
        range: index.range(symbol.span),
        selection_range: index.range(symbol.selection),
        children: Some(
            symbol
                .children
                .iter()
                .map(|c| to_symbol(c, index))
                .collect(),
        ),
    }
}
