//! `#[derive(PyTree)]` for jaxide: makes a struct a pytree node.
//!
//! Fields are children in declaration order; a field marked
//! `#[pytree(static)]` is not a child but static (aux) data stored in the
//! `TreeDef` and cloned back on unflatten. See `jaxide::tree`.

use std::collections::HashSet;

use proc_macro::TokenStream;
use proc_macro2::{TokenStream as TokenStream2, TokenTree};
use quote::{quote, ToTokens};
use syn::{parse_macro_input, parse_quote, Data, DeriveInput, Field, Fields, Ident, Index, Member};

/// Derives `jaxide::tree::PyTree` for a struct (named, tuple or unit).
///
/// Non-static fields must implement `PyTree`; their leaves come in
/// declaration order. `#[pytree(static)]` fields must be
/// `Clone + PartialEq + Debug + Send + Sync + 'static`; they are part of the
/// structure, so two values differing in a static field have unequal
/// `TreeDef`s. A `T: PyTree` bound is added for every type parameter used in
/// a non-static field.
#[proc_macro_derive(PyTree, attributes(pytree))]
pub fn derive_pytree(input: TokenStream) -> TokenStream {
    let input = parse_macro_input!(input as DeriveInput);
    expand(input)
        .unwrap_or_else(syn::Error::into_compile_error)
        .into()
}

/// One struct field as the derive sees it.
struct FieldInfo {
    member: Member,
    ty: syn::Type,
    is_static: bool,
    /// The key-path label: the field name, or its index for tuple structs.
    label: String,
}

fn expand(input: DeriveInput) -> syn::Result<TokenStream2> {
    if let Some(attr) = input.attrs.iter().find(|a| a.path().is_ident("pytree")) {
        return Err(syn::Error::new_spanned(
            attr,
            "#[pytree(...)] goes on fields, not on the type",
        ));
    }
    let data = match &input.data {
        Data::Struct(s) => s,
        Data::Enum(e) => {
            return Err(syn::Error::new_spanned(
                e.enum_token,
                "#[derive(PyTree)] supports only structs",
            ))
        }
        Data::Union(u) => {
            return Err(syn::Error::new_spanned(
                u.union_token,
                "#[derive(PyTree)] supports only structs",
            ))
        }
    };
    let fields = collect_fields(&data.fields)?;

    let type_params: Vec<Ident> = input
        .generics
        .type_params()
        .map(|p| p.ident.clone())
        .collect();
    let mut generics = input.generics.clone();
    {
        let mut leaf_params = HashSet::new();
        for f in fields.iter().filter(|f| !f.is_static) {
            mentioned_params(f.ty.to_token_stream(), &type_params, &mut leaf_params);
        }
        let where_clause = generics.make_where_clause();
        for p in type_params.iter().filter(|p| leaf_params.contains(*p)) {
            where_clause
                .predicates
                .push(parse_quote!(#p: ::jaxide::tree::PyTree));
        }
        for f in fields.iter().filter(|f| f.is_static) {
            let mut used = HashSet::new();
            mentioned_params(f.ty.to_token_stream(), &type_params, &mut used);
            if !used.is_empty() {
                let ty = &f.ty;
                where_clause.predicates.push(parse_quote!(
                    #ty: ::core::clone::Clone + ::jaxide::tree::StaticValue
                ));
            }
        }
    }
    let (impl_generics, ty_generics, where_clause) = generics.split_for_impl();

    let name = &input.ident;
    let name_str = name.to_string();
    let leaf_fields: Vec<&FieldInfo> = fields.iter().filter(|f| !f.is_static).collect();
    let static_fields: Vec<&FieldInfo> = fields.iter().filter(|f| f.is_static).collect();
    let leaf_members = leaf_fields.iter().map(|f| &f.member);
    let leaf_labels = leaf_fields.iter().map(|f| &f.label);
    let static_members = static_fields.iter().map(|f| &f.member);

    let (mut leaf_i, mut static_i) = (0usize, 0usize);
    let inits = fields.iter().map(|f| {
        let member = &f.member;
        let ty = &f.ty;
        if f.is_static {
            let i = Index::from(static_i);
            static_i += 1;
            quote!(#member: ::jaxide::tree::static_field::<#ty>(&__statics[#i]))
        } else {
            let i = Index::from(leaf_i);
            leaf_i += 1;
            quote!(#member: <#ty as ::jaxide::tree::PyTree>::unflatten_from(&__children[#i], __leaves))
        }
    });

    Ok(quote! {
        #[automatically_derived]
        impl #impl_generics ::jaxide::tree::PyTree for #name #ty_generics #where_clause {
            fn flatten_into(
                &self,
                __leaves: &mut ::std::vec::Vec<::jaxide::Array>,
            ) -> ::jaxide::tree::TreeDef {
                let __children = ::std::vec![
                    #( ::jaxide::tree::PyTree::flatten_into(&self.#leaf_members, __leaves) ),*
                ];
                let __statics = ::std::vec![
                    #( ::jaxide::tree::static_value(::core::clone::Clone::clone(&self.#static_members)) ),*
                ];
                ::jaxide::tree::TreeDef::custom::<Self>(
                    #name_str,
                    &[ #( #leaf_labels ),* ],
                    __statics,
                    __children,
                )
            }

            fn unflatten_from(
                __def: &::jaxide::tree::TreeDef,
                __leaves: &mut dyn ::core::iter::Iterator<Item = ::jaxide::Array>,
            ) -> Self {
                let (__children, __statics) = __def.custom_parts::<Self>();
                Self { #( #inits ),* }
            }
        }
    })
}

fn collect_fields(fields: &Fields) -> syn::Result<Vec<FieldInfo>> {
    let mut out = Vec::new();
    for (i, field) in fields.iter().enumerate() {
        let (member, label) = match &field.ident {
            Some(ident) => {
                let label = ident.to_string();
                let label = label.strip_prefix("r#").unwrap_or(&label).to_string();
                (Member::Named(ident.clone()), label)
            }
            None => (Member::Unnamed(Index::from(i)), i.to_string()),
        };
        out.push(FieldInfo {
            member,
            ty: field.ty.clone(),
            is_static: is_static_field(field)?,
            label,
        });
    }
    Ok(out)
}

/// Reads `#[pytree(static)]`; rejects any other `pytree` option.
fn is_static_field(field: &Field) -> syn::Result<bool> {
    let mut is_static = false;
    for attr in field.attrs.iter().filter(|a| a.path().is_ident("pytree")) {
        attr.parse_nested_meta(|meta| {
            if meta.path.is_ident("static") {
                is_static = true;
                Ok(())
            } else {
                Err(meta.error("unknown pytree option; expected `static`"))
            }
        })?;
    }
    Ok(is_static)
}

/// Adds to `used` every type parameter whose name appears in `tokens`.
fn mentioned_params(tokens: TokenStream2, params: &[Ident], used: &mut HashSet<Ident>) {
    for tt in tokens {
        match tt {
            TokenTree::Ident(id) => {
                if let Some(p) = params.iter().find(|p| **p == id) {
                    used.insert(p.clone());
                }
            }
            TokenTree::Group(g) => mentioned_params(g.stream(), params, used),
            _ => {}
        }
    }
}
